import { money } from './money.js';
import type { OrderView, ShippingAddress } from './order.js';

/**
 * Markdown for operators reading orders and restocks in the Temporal Web UI: static details set at
 * start, current details that follow the workflow. Pure text builders, so they are tested here and
 * changing one never touches a workflow's commands.
 */

/** Markdown for operators (the Web UI's current details). */
export function describeOrder(view: OrderView): string {
  const p = view.payment;
  const rows = view.lines.map(
    (l) =>
      `| ${l.sku} | ${l.name.replaceAll('|', '/')} | ${l.quantity} | ${money(l.unitPriceCents, view.currency)} | ${l.status} |`,
  );
  return [
    `**Order ${view.status.replace('_', ' ')}**${view.cancelReason ? ` (${view.cancelReason.replace('_', ' ')})` : ''}: ${money(view.totalCents, view.currency)} for \`${view.email}\``,
    ...(view.flags.length > 0 ? [`⚑ Needs an operator: ${view.flags.join(', ')}`, ''] : []),
    `Payment: ${p.step}; authorized ${money(p.authorizedCents, view.currency)}, captured ${money(p.capturedCents, view.currency)}, refunded ${money(p.refundedCents, view.currency)}` +
      (p.lastError ? `; last error: ${p.lastError.message}` : ''),
    '',
    '| SKU | Product | Qty | Unit | Line |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Ship to ${view.shippingAddress.name}, ${view.shippingAddress.city}, ${view.shippingAddress.country}`,
  ].join('\n');
}

/** What an order starts from, as the Web UI's static details show it. */
export interface OrderAtPlacement {
  email: string;
  customerId?: string | null;
  cartId?: string | null;
  shippingAddress: ShippingAddress;
  paymentMethod?: string | null;
  currency: string;
  lines: { sku: string; name: string; quantity: number; unitPriceCents: number }[];
}

/**
 * Markdown for the order's static details (set once, at start): who, where to, how paying, and
 * the lines at the catalog prices of that moment. The current details follow the order after.
 */
export function describeOrderAtPlacement(order: OrderAtPlacement): string {
  const total = order.lines.reduce((n, l) => n + l.quantity * l.unitPriceCents, 0);
  const a = order.shippingAddress;
  return [
    `**Customer** \`${order.email}\`${order.customerId ? ` (customer ${order.customerId})` : ''}` +
      (order.cartId ? `, from cart \`${order.cartId}\`` : ''),
    `**Ship to** ${a.name}, ${a.city}${a.postalCode ? ` ${a.postalCode}` : ''}, ${a.country}`,
    `**Payment** ${order.paymentMethod ? `\`${order.paymentMethod}\`` : 'none yet (pay later)'}`,
    '',
    '| SKU | Product | Qty | Unit | Total |',
    '| --- | --- | ---: | ---: | ---: |',
    ...order.lines.map(
      (l) =>
        `| ${l.sku} | ${l.name.replaceAll('|', '/')} | ${l.quantity} | ${money(l.unitPriceCents, order.currency)} | ${money(l.quantity * l.unitPriceCents, order.currency)} |`,
    ),
    '',
    `**Total** ${money(total, order.currency)} at placement (the order prices its lines from the catalog as it starts)`,
  ].join('\n');
}

/** Markdown for a restock's static details: the product, how many, who asked and why, its steps. */
export function describeRestockRequest(input: {
  sku: string;
  productName: string;
  quantity: number;
  requestedBy: string;
  available: number;
  threshold: number;
  stepDuration: string;
}): string {
  return [
    `**Product** ${input.productName.replaceAll('|', '/')} (\`${input.sku}\`)`,
    `**Quantity** ${input.quantity}, asked for by order \`${input.requestedBy}\` when only ${input.available} stayed available (threshold ${input.threshold})`,
    `**Steps** requested → ordered → in transit → received, ${input.stepDuration} each`,
  ].join('\n');
}
