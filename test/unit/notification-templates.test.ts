/**
 * What each outbox message says (src/notifications/templates.ts): every kind the workflows write,
 * with the tracking link the checkout gives, in plain text and HTML, and nothing a hostile payload
 * can do to the HTML or the headers.
 */
import { describe, expect, it } from 'vitest';
import { accepted } from '../../src/api/carts/checkout.js';
import { OrderAccess } from '../../src/api/identity/order-access.js';
import { orderAccessToken, orderTrackingUrl } from '../../src/api/identity/order-token.js';
import { loadConfig } from '../../src/config.js';
import type { PrismaClient } from '../../src/db/prisma.js';
import { renderMail, type MailContext } from '../../src/notifications/templates.js';

const SECRET = 'unit-order-token-secret-0123456789abcdef';
const ORDER = '3f2a9c1e-1111-4222-8333-444455556666';
const ctx: MailContext = {
  publicUrl: 'https://shop.example',
  shopName: 'Example Shop',
  trackingUrl: (id) => orderTrackingUrl('https://shop.example', id, orderAccessToken(SECRET, id)),
};
const order = (extra: Record<string, unknown> = {}) => ({
  orderId: ORDER,
  status: 'placed',
  message: 'We received your order.',
  totalCents: 3998,
  currency: 'USD',
  ...extra,
});

const orderKinds: [string, Record<string, unknown>, RegExp][] = [
  ['order_confirmed', {}, /received your order #3f2a9c1e/],
  ['payment_action_required', { url: 'https://bank.example/3ds/abc' }, /confirm your payment/],
  ['payment_declined', { message: 'Your payment was declined: insufficient funds.' }, /was declined/],
  ['order_backordered', { skus: ['SKU-1', 'SKU-2'] }, /waiting for stock/],
  ['order_lines_cancelled', { skus: ['SKU-3'] }, /could not be supplied/],
  ['order_picking', {}, /being packed/],
  ['order_shipped', {}, /on its way/],
  ['order_delivered', {}, /was delivered/],
  ['order_cancelled', { reason: 'customer', message: 'You cancelled your order.' }, /was cancelled/],
  ['refund_issued', { amountCents: 1999, message: 'We refunded 19.99 USD.' }, /refunded 19\.99 USD/],
  ['something_new', { message: 'A kind this sender has no template for.' }, /update on your order #3f2a9c1e/],
];

describe('notification templates', () => {
  it.each(orderKinds)('%s: a subject, plain text and HTML, both with the tracking link', (kind, extra, subject) => {
    const mail = renderMail({ kind, subjectId: ORDER, payload: order(extra) }, ctx);
    const link = ctx.trackingUrl(ORDER);
    expect(mail.subject).toMatch(subject);
    expect(mail.text).toContain(link);
    expect(mail.html).toContain(`href="${link}"`);
    expect(mail.text).toContain(ORDER);
    expect(mail.html).toMatch(/^<!doctype html>/);
    expect(mail.text).not.toMatch(/undefined|NaN|\[object/);
  });

  it('carries the details of each kind: the SKUs waiting, the refund, the bank page to confirm on', () => {
    expect(
      renderMail({ kind: 'order_backordered', subjectId: ORDER, payload: order({ skus: ['SKU-9'] }) }, ctx).text,
    ).toContain('Waiting: SKU-9');
    expect(
      renderMail({ kind: 'refund_issued', subjectId: ORDER, payload: order({ amountCents: 150 }) }, ctx).subject,
    ).toContain('1.50 USD');
    const action = renderMail(
      { kind: 'payment_action_required', subjectId: ORDER, payload: order({ url: 'https://bank.example/3ds' }) },
      ctx,
    );
    expect(action.html).toContain('href="https://bank.example/3ds"');
  });

  it('links the tracking page exactly as the checkout answer does (same token, same URL)', async () => {
    const config = loadConfig({ NODE_ENV: 'test', PUBLIC_URL: 'https://shop.example', ORDER_TOKEN_SECRET: SECRET });
    const access = new OrderAccess({} as PrismaClient, SECRET);
    const answer = accepted(access, config, ORDER, 'placed');
    expect(ctx.trackingUrl(ORDER)).toBe(answer.trackingUrl);
    expect(access.tokenMatches(ORDER, answer.accessToken)).toBe(true);
  });

  it('cart reminder: the count and total, and a way back to the shop (a cart has no tracking link)', () => {
    const mail = renderMail(
      {
        kind: 'cart_reminder',
        subjectId: 'cart-1',
        payload: {
          cartId: 'cart-1',
          itemCount: 3,
          totalCents: 4500,
          currency: 'USD',
          idleSince: '2026-11-30T10:00:00Z',
        },
      },
      ctx,
    );
    expect(mail.subject).toBe('Example Shop: your cart is waiting for you');
    expect(mail.text).toContain('Your cart (3 items) is still here, 45.00 USD.');
    expect(mail.html).toContain('href="https://shop.example/"');
  });

  it('operator alert: what stopped where, and how to retry it', () => {
    const mail = renderMail(
      {
        kind: 'operator_alert',
        subjectId: ORDER,
        payload: {
          orderId: ORDER,
          flag: 'payment_stuck',
          step: 'capture',
          code: 'provider_rejected',
          message: 'Key revoked',
        },
      },
      ctx,
    );
    expect(mail.subject).toBe('[operators] Order #3f2a9c1e stopped: payment_stuck at capture');
    expect(mail.text).toContain(`POST /api/admin/orders/${ORDER}/retry`);
    expect(mail.text).toContain('Code: provider_rejected');
  });

  it('a generic message for an unknown kind with no order, and survives a payload that is not an object', () => {
    expect(renderMail({ kind: 'mystery', subjectId: 'x', payload: { message: 'Hello' } }, ctx)).toMatchObject({
      subject: 'A message from Example Shop',
    });
    const odd = renderMail({ kind: 'order_shipped', subjectId: ORDER, payload: ['not', 'an', 'object'] }, ctx);
    expect(odd.text).toContain(ctx.trackingUrl(ORDER));
  });

  it('escapes hostile text in the HTML and keeps every header-bound field on one line', () => {
    const hostile = '<script>alert("x")</script>';
    const mail = renderMail(
      {
        kind: 'order_lines_cancelled',
        subjectId: ORDER,
        payload: order({
          orderId: `${ORDER}\r\nBcc: evil@example.com`,
          message: `We could not get ${hostile} in time.`,
          skus: ['<img src=x onerror=alert(1)>'],
        }),
      },
      ctx,
    );
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.text).toContain(hostile); // plain text shows it as the text it is
    const refund = renderMail(
      { kind: 'refund_issued', subjectId: ORDER, payload: order({ currency: 'USD\r\nBcc: x@y', amountCents: 100 }) },
      ctx,
    );
    expect(refund.subject).not.toMatch(/[\r\n]|Bcc/);
  });

  it('never turns a payload URL that is not http(s) into a link', () => {
    const mail = renderMail(
      { kind: 'payment_action_required', subjectId: ORDER, payload: order({ url: 'javascript:alert(1)' }) },
      ctx,
    );
    expect(mail.html).not.toContain('javascript:');
    expect(mail.text).not.toContain('javascript:');
  });
});
