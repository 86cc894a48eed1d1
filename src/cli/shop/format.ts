/** Plain-text rendering of carts, products and money for the shop CLI. */
import type { CartLineView, CartView } from '../../domain/cart.js';
import type { ProductView } from '../../domain/catalog.js';
import type { OrderView } from '../../domain/order.js';

const formatters = new Map<string, Intl.NumberFormat>();

/** An amount in the currency's minor unit (cents for USD), e.g. 2599 USD → "$25.99". */
function money(minor: number, currency: string): string {
  let format = formatters.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    formatters.set(currency, format);
  }
  // Not every currency has cents (JPY has none): the formatter knows how many minor digits there are.
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}

/** "1 item" / "3 items". */
function items(n: number): string {
  return `${n} ${n === 1 ? 'item' : 'items'}`;
}

/** The one-line summary printed after each change: "3 items, total $77.97". */
export function cartSummary(cart: CartView): string {
  return `${items(cart.itemCount)}, total ${money(cart.totalCents, cart.currency)}`;
}

/** Lays rows out in columns padded to the widest cell; the last column is left ragged. */
function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    `  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd(),
  );
}

function lineFlags(line: CartLineView, currency: string): string {
  const flags: string[] = [];
  if (line.priceChanged && line.previousUnitPriceCents !== null)
    flags.push(`price changed (was ${money(line.previousUnitPriceCents, currency)})`);
  if (line.outOfStock) flags.push('out of stock');
  if (line.insufficientStock) flags.push(`only ${line.available} available`);
  return flags.join(', ');
}

/** The `cart` command's output: one row per line, then item count and total. */
export function formatCart(member: string, cart: CartView): string {
  const head = `${member}'s cart ${cart.id}${cart.status === 'active' ? '' : ` (${cart.status.replace('_', ' ')})`}`;
  if (cart.lines.length === 0) return `${head}: empty`;
  const rows = cart.lines.map((l) => [
    l.name,
    l.sku,
    `x${l.quantity}`,
    money(l.unitPriceCents, cart.currency),
    money(l.lineTotalCents, cart.currency),
    lineFlags(l, cart.currency),
  ]);
  return [`${head}:`, ...table(rows), cartSummary(cart)].join('\n');
}

/** Products as rows of name, SKU, price and stock. */
export function formatProducts(products: ProductView[]): string[] {
  return table(
    products.map((p) => [
      p.name,
      p.sku,
      money(p.priceCents, p.currency),
      p.available > 0 ? `${p.available} available` : 'sold out',
    ]),
  );
}

/** An order: status, lines with their state, the money, and the timeline. */
export function formatOrder(order: OrderView): string {
  const p = order.payment;
  const lines = table(
    order.lines.map((l) => [
      `  ${l.name} (${l.sku})`,
      `× ${l.quantity}`,
      money(l.lineTotalCents, order.currency),
      l.status,
    ]),
  );
  return [
    `Order ${order.id}: ${order.status.replace('_', ' ')}${order.cancelReason ? ` (${order.cancelReason.replace('_', ' ')})` : ''}, total ${money(order.totalCents, order.currency)}`,
    ...lines,
    `  payment: ${p.step}; authorized ${money(p.authorizedCents, order.currency)}, captured ${money(p.capturedCents, order.currency)}, refunded ${money(p.refundedCents, order.currency)}` +
      (p.lastError ? ` (${p.lastError.message})` : '') +
      (p.nextAction?.url ? `; confirm at ${p.nextAction.url}` : ''),
    ...order.timeline.map((t) => `  ${t.at.slice(11, 19)}  ${t.message}`),
  ].join('\n');
}
