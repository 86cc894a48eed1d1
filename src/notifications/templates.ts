/**
 * What each outbox message says: a subject, a plain-text body and an HTML body built from the same
 * blocks, with the order's tracking link. Pure: no I/O, so every kind is unit-tested. Every value
 * from a payload is treated as hostile (product names, provider messages and cancel reasons come
 * from outside): escaped in HTML, one line and no control characters in the subject.
 */
import { money } from '../domain/money.js';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export interface MailContext {
  /** The storefront's origin (PUBLIC_URL), for messages about a cart. */
  publicUrl: string;
  /** The guest's tracking link of an order (the same as the checkout's `trackingUrl`). */
  trackingUrl(orderId: string): string;
  /** How the shop signs its messages (MAIL_FROM's display name). */
  shopName: string;
}

export interface OutboxMessage {
  kind: string;
  subjectId: string;
  payload: unknown;
}

type Block =
  { p: string } | { link: { label: string; url: string } } | { list: string[] } | { facts: [string, string][] };

interface Draft {
  subject: string;
  blocks: Block[];
}

type Payload = Record<string, unknown>;

const MAX_FIELD = 2_000;

/** Text as a reader should see it: no control characters but line breaks, and not endless. */
export function plain(value: unknown, max = MAX_FIELD): string {
  const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
  const cleaned = text
    .replace(/\r\n?/g, '\n')
    // eslint-disable-next-line no-control-regex -- removing control characters is the point
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
    .trim();
  return cleaned.length > max ? `${cleaned.slice(0, max - 1)}…` : cleaned;
}

/** For a header: one line, so no field can start another header (`\r\nBcc: ...`). */
export function oneLine(value: unknown, max = 160): string {
  return plain(value, max).replace(/\s+/g, ' ');
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Only web links become links: a `javascript:` or `data:` URL in a payload stays inert text. */
function webUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

const str = (p: Payload, key: string) => plain(p[key]);
const cents = (p: Payload, key: string) => (Number.isSafeInteger(p[key]) ? (p[key] as number) : undefined);
const strings = (p: Payload, key: string) =>
  Array.isArray(p[key])
    ? (p[key] as unknown[])
        .slice(0, 50)
        .map((v) => plain(v, 200))
        .filter(Boolean)
    : [];

/** The order's number as customers see it in subjects: short, and safe in a header. */
const ref = (orderId: string) => `#${oneLine(orderId).slice(0, 8)}`;

function amount(p: Payload, key: string): string | undefined {
  const value = cents(p, key);
  const currency = oneLine(p.currency, 3);
  return value === undefined ? undefined : money(value, /^[A-Z]{3}$/.test(currency) ? currency : '');
}

/** One draft per kind the order and cart workflows write; anything else gets the generic one. */
function draft(message: OutboxMessage, ctx: MailContext): Draft {
  const p: Payload =
    message.payload && typeof message.payload === 'object' && !Array.isArray(message.payload)
      ? (message.payload as Payload)
      : {};
  const orderId = plain(p.orderId, 100) || plain(message.subjectId, 100);
  const track: Block = { link: { label: 'Follow your order', url: ctx.trackingUrl(orderId) } };
  const said = str(p, 'message');
  const total = amount(p, 'totalCents');
  const number: Block = { facts: [['Order', orderId], ...(total ? [['Total', total] as [string, string]] : [])] };

  switch (message.kind) {
    case 'order_confirmed':
      return {
        subject: `We received your order ${ref(orderId)}`,
        blocks: [{ p: 'Thank you for your order. We will write again when it ships.' }, number, track],
      };
    case 'payment_action_required': {
      const confirm = webUrl(p.url);
      return {
        subject: `Please confirm your payment for order ${ref(orderId)}`,
        blocks: [
          { p: said || 'Your bank asks you to confirm the payment.' },
          ...(confirm ? [{ link: { label: 'Confirm the payment', url: confirm } }] : []),
          { p: 'Until it is confirmed, we hold your order for a short while.' },
          number,
          track,
        ],
      };
    }
    case 'payment_declined':
      return {
        subject: `Your payment for order ${ref(orderId)} was declined`,
        blocks: [{ p: said || 'Your payment was declined.' }, number, track],
      };
    case 'order_backordered':
      return {
        subject: `Part of your order ${ref(orderId)} is waiting for stock`,
        blocks: [
          { p: said || 'Part of your order is waiting for stock; we will ship as soon as it arrives.' },
          { list: strings(p, 'skus').map((sku) => `Waiting: ${sku}`) },
          number,
          track,
        ],
      };
    case 'order_lines_cancelled':
      return {
        subject: `Part of your order ${ref(orderId)} could not be supplied`,
        blocks: [
          { p: said || 'Some products did not come back in stock in time.' },
          { list: strings(p, 'skus').map((sku) => `Not supplied: ${sku}`) },
          number,
          track,
        ],
      };
    case 'order_picking':
      return {
        subject: `Your order ${ref(orderId)} is being packed`,
        blocks: [{ p: said || 'The warehouse is picking your order.' }, number, track],
      };
    case 'order_shipped':
      return {
        subject: `Your order ${ref(orderId)} is on its way`,
        blocks: [{ p: 'Your order has left our warehouse and is on its way to you.' }, number, track],
      };
    case 'order_delivered':
      return {
        subject: `Your order ${ref(orderId)} was delivered`,
        blocks: [{ p: 'Your order was delivered. We hope you enjoy it.' }, number, track],
      };
    case 'order_cancelled':
      return {
        subject: `Your order ${ref(orderId)} was cancelled`,
        blocks: [
          { p: said || 'Your order was cancelled.' },
          { p: 'Anything held on your card is released; anything you paid is refunded.' },
          number,
          track,
        ],
      };
    case 'refund_issued': {
      const refunded = amount(p, 'amountCents');
      return {
        subject: `We refunded ${refunded ? `${refunded} ` : ''}for order ${ref(orderId)}`,
        blocks: [
          { p: said || 'We issued a refund.' },
          { p: 'Your bank may take a few days to show it.' },
          number,
          track,
        ],
      };
    }
    case 'cart_reminder': {
      const items = cents(p, 'itemCount');
      const worth = amount(p, 'totalCents');
      const what = items === undefined ? 'Your cart' : `Your cart (${items} item${items === 1 ? '' : 's'})`;
      return {
        subject: `${oneLine(ctx.shopName, 60)}: your cart is waiting for you`,
        blocks: [
          { p: `${what} is still here${worth ? `, ${worth}` : ''}. Prices and stock are checked again at checkout.` },
          { link: { label: 'Back to the shop', url: `${ctx.publicUrl}/` } },
        ],
      };
    }
    case 'operator_alert':
      return {
        subject: `[operators] Order ${ref(orderId)} stopped: ${oneLine(p.flag, 40) || 'stuck'} at ${oneLine(p.step, 40) || 'a step'}`,
        blocks: [
          { p: said || 'An order stopped at a step and waits for an operator.' },
          {
            facts: [
              ['Order', orderId],
              ['Status', str(p, 'status')],
              ['Flag', str(p, 'flag')],
              ['Step', str(p, 'step')],
              ['Code', str(p, 'code')],
              ['Waiting for', str(p, 'waitingFor')],
              ['Since', str(p, 'since')],
            ],
          },
          { p: `Fix the cause, then: POST /api/admin/orders/${orderId}/retry` },
        ],
      };
    default:
      return orderId && typeof p.orderId === 'string'
        ? { subject: `An update on your order ${ref(orderId)}`, blocks: [{ p: said || 'Your order has news.' }, track] }
        : { subject: `A message from ${oneLine(ctx.shopName, 60)}`, blocks: said ? [{ p: said }] : [] };
  }
}

function textOf(block: Block): string {
  if ('p' in block) return block.p;
  if ('link' in block) return `${block.link.label}:\n${block.link.url}`;
  if ('list' in block) return block.list.map((item) => `- ${item}`).join('\n');
  return block.facts
    .filter(([, v]) => v)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
}

function htmlOf(block: Block): string {
  if ('p' in block) return `<p>${escapeHtml(block.p).replaceAll('\n', '<br>')}</p>`;
  if ('link' in block)
    return `<p><a href="${escapeHtml(block.link.url)}" style="color:#1a56db">${escapeHtml(block.link.label)}</a></p>`;
  if ('list' in block) return `<ul>${block.list.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`;
  const rows = block.facts
    .filter(([, v]) => v)
    .map(
      ([k, v]) => `<tr><th align="left" style="padding-right:1em">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`,
    );
  return `<table>${rows.join('')}</table>`;
}

/** Subject and both bodies of one outbox message. */
export function renderMail(message: OutboxMessage, ctx: MailContext): RenderedMail {
  const { subject, blocks } = draft(message, ctx);
  const kept = blocks.filter((b) => !('list' in b) || b.list.length > 0);
  const shop = plain(ctx.shopName, 60);
  const text = `${kept.map(textOf).join('\n\n')}\n\n-- \n${shop}\n`;
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(oneLine(subject))}</title></head>
<body style="font-family:sans-serif;line-height:1.5;max-width:36em">
${kept.map(htmlOf).join('\n')}
<p style="color:#666">${escapeHtml(shop)}</p>
</body></html>
`;
  return { subject: oneLine(subject, 200), text, html };
}
