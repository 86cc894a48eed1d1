import { money } from './money.js';
import { DomainError, ErrorCode } from './errors.js';

/**
 * The cart as plain data and the pure rules that change it. The cart workflow keeps a CartState and
 * changes it only through these functions, so the rules are tested without a server.
 *
 * Pricing: names, prices, vendors and stock always come from the catalog (never from the client).
 * A change is priced for the product it touches (by the API, read from the catalog and sent with
 * the update; older changes looked up every line through an activity). `pricedAt` is when every
 * line was last priced together: once it is older than the cart's `repriceAfterMs`, the API
 * re-prices the whole cart before answering a read or a change. At checkout the order prices its
 * lines from the catalog as it starts. A line remembers the unit price the customer last agreed to
 * (when they added it or changed its quantity) and is flagged `priceChanged` when the catalog price
 * moves away from it; `outOfStock` / `insufficientStock` compare the line with stock at its last
 * pricing.
 */

export const MAX_LINE_QUANTITY = 99;
export const MAX_CART_LINES = 100;

export type CartStatus = 'active' | 'checked_out' | 'abandoned';

/** What the catalog says about a product, as the cart needs it. */
export interface CatalogItem {
  productId: string;
  sku: string;
  name: string;
  vendorId: string;
  priceCents: number;
  currency: string;
  available: number;
}

export interface CartLine {
  productId: string;
  sku: string;
  name: string;
  vendorId: string;
  quantity: number;
  /** The catalog's price at the last pricing. */
  unitPriceCents: number;
  /** The price the customer last agreed to: when they added the line or changed its quantity. */
  agreedUnitPriceCents: number;
  /** Stock available at the last pricing; null when the product has left the catalog. */
  available: number | null;
  addedAt: string;
}

export interface CartState {
  id: string;
  status: CartStatus;
  currency: string;
  customerId: string | null;
  email: string | null;
  lines: CartLine[];
  createdAt: string;
  updatedAt: string;
  /** Last customer mutation: the idle and abandon clocks run from here. */
  lastActivityAt: string;
  pricedAt: string | null;
  /** The `lastActivityAt` whose idle period has had its reminder (one reminder per idle period). */
  remindedForActivityAt: string | null;
  closedAt: string | null;
  orderId: string | null;
}

/** How long a cart may idle before a reminder, and before it is abandoned. */
export interface CartTimeouts {
  idleTimeoutMs: number;
  abandonAfterMs: number;
}

export type CartCommand =
  | { type: 'add'; productId: string; quantity: number }
  | { type: 'set'; productId: string; quantity: number }
  | { type: 'adjust'; productId: string; delta: number }
  | { type: 'remove'; productId: string }
  | { type: 'clear' };

export interface CartLineView {
  productId: string;
  sku: string;
  name: string;
  vendorId: string;
  quantity: number;
  unitPriceCents: number;
  lineTotalCents: number;
  priceChanged: boolean;
  /** The price the customer agreed to, when it differs from today's. */
  previousUnitPriceCents: number | null;
  available: number;
  outOfStock: boolean;
  insufficientStock: boolean;
  addedAt: string;
}

export interface CartView {
  id: string;
  status: CartStatus;
  currency: string;
  customerId: string | null;
  lines: CartLineView[];
  itemCount: number;
  totalCents: number;
  createdAt: string;
  updatedAt: string;
  pricedAt: string | null;
  /** When an idle cart gets its reminder (null once sent, or when the cart is closed). */
  reminderAt: string | null;
  /** When an idle cart is abandoned (null when closed). */
  expiresAt: string | null;
  closedAt: string | null;
  orderId: string | null;
}

const fail = (code: ErrorCode, message: string, details?: unknown): never => {
  throw new DomainError(code, message, details);
};

/** A new, empty, active cart. */
export function createCart(input: {
  id: string;
  currency: string;
  customerId?: string | null;
  email?: string | null;
  now: string;
}): CartState {
  return {
    id: input.id,
    status: 'active',
    currency: input.currency,
    customerId: input.customerId ?? null,
    email: input.email ?? null,
    lines: [],
    createdAt: input.now,
    updatedAt: input.now,
    lastActivityAt: input.now,
    pricedAt: null,
    remindedForActivityAt: null,
    closedAt: null,
    orderId: null,
  };
}

export function isQuantity(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= MAX_LINE_QUANTITY;
}

/**
 * The checks a command must pass before it may enter the cart's history: everything that does not
 * need the catalog. Update validators run it; the reducers run it again on the state they change.
 */
export function checkCommand(state: CartState, command: CartCommand): void {
  if (state.status !== 'active')
    fail(ErrorCode.CartClosed, `this cart is ${state.status.replace('_', ' ')}; start a new one`);
  const line = 'productId' in command ? state.lines.find((l) => l.productId === command.productId) : undefined;
  switch (command.type) {
    case 'add':
      if (!isQuantity(command.quantity))
        fail(ErrorCode.ValidationFailed, `quantity must be a whole number from 1 to ${MAX_LINE_QUANTITY}`);
      if (line && line.quantity + command.quantity > MAX_LINE_QUANTITY) {
        fail(
          ErrorCode.LineQuantityLimit,
          `at most ${MAX_LINE_QUANTITY} of one product per cart (the cart has ${line.quantity})`,
        );
      }
      break;
    case 'set':
      if (!Number.isInteger(command.quantity) || command.quantity < 0 || command.quantity > MAX_LINE_QUANTITY) {
        fail(ErrorCode.ValidationFailed, `quantity must be a whole number from 0 to ${MAX_LINE_QUANTITY}`);
      }
      break;
    case 'adjust':
      if (!Number.isInteger(command.delta) || command.delta === 0 || Math.abs(command.delta) > MAX_LINE_QUANTITY) {
        fail(
          ErrorCode.ValidationFailed,
          `delta must be a non-zero whole number from -${MAX_LINE_QUANTITY} to ${MAX_LINE_QUANTITY}`,
        );
      }
      if (!line && command.delta < 0) fail(ErrorCode.LineNotFound, `product ${command.productId} is not in the cart`);
      if (line && line.quantity + command.delta > MAX_LINE_QUANTITY) {
        fail(
          ErrorCode.LineQuantityLimit,
          `at most ${MAX_LINE_QUANTITY} of one product per cart (the cart has ${line.quantity})`,
        );
      }
      break;
    case 'remove':
    case 'clear':
      break;
  }
  const addsLine =
    !line &&
    (command.type === 'add' ||
      (command.type === 'set' && command.quantity > 0) ||
      (command.type === 'adjust' && command.delta > 0));
  if (addsLine && state.lines.length >= MAX_CART_LINES)
    fail(ErrorCode.CartFull, `a cart holds at most ${MAX_CART_LINES} different products`);
}

/** The products whose catalog data a command needs (the line it touches plus every line, to re-price). */
export function productsToPrice(state: CartState, command?: CartCommand): string[] {
  const ids = new Set(state.lines.map((l) => l.productId));
  if (command && 'productId' in command) ids.add(command.productId);
  return [...ids];
}

/** Catalog data fetched for a set of products; a requested id missing from `items` has left the catalog. */
export interface Pricing {
  requested: readonly string[];
  items: readonly CatalogItem[];
}

/**
 * Refreshes the lines that were looked up. Lines added since the lookup (by a concurrent change)
 * are left as they are; lines whose product has left the catalog keep their price, with no stock.
 * `pricedAt` moves only when every line was looked up: it dates the oldest pricing in the cart.
 */
export function applyPrices(state: CartState, pricing: Pricing, now: string): CartState {
  const byId = new Map(pricing.items.map((i) => [i.productId, i]));
  const requested = new Set(pricing.requested);
  return {
    ...state,
    pricedAt: state.lines.every((l) => requested.has(l.productId)) ? now : state.pricedAt,
    lines: state.lines.map((line) => {
      if (!requested.has(line.productId)) return line;
      const item = byId.get(line.productId);
      if (!item) return { ...line, available: null };
      return {
        ...line,
        sku: item.sku,
        name: item.name,
        vendorId: item.vendorId,
        unitPriceCents: item.priceCents,
        available: item.available,
      };
    }),
  };
}

function withLine(
  state: CartState,
  productId: string,
  quantity: number,
  item: CatalogItem | undefined,
  now: string,
): CartState {
  const existing = state.lines.find((l) => l.productId === productId);
  if (quantity <= 0) return { ...state, lines: state.lines.filter((l) => l.productId !== productId) };
  if (existing) {
    const price = item?.priceCents ?? existing.unitPriceCents;
    const changed = { ...existing, quantity, unitPriceCents: price, agreedUnitPriceCents: price };
    return { ...state, lines: state.lines.map((l) => (l.productId === productId ? changed : l)) };
  }
  if (!item) return fail(ErrorCode.ProductNotFound, `no product with id ${productId}`);
  if (item.currency !== state.currency) {
    fail(
      ErrorCode.CurrencyNotSupported,
      `product ${item.sku} is priced in ${item.currency}; this cart is in ${state.currency}`,
    );
  }
  const line: CartLine = {
    productId,
    sku: item.sku,
    name: item.name,
    vendorId: item.vendorId,
    quantity,
    unitPriceCents: item.priceCents,
    agreedUnitPriceCents: item.priceCents,
    available: item.available,
    addedAt: now,
  };
  return { ...state, lines: [...state.lines, line] };
}

/**
 * Applies a customer's command, with catalog data fetched for it (`items`). Re-prices every line,
 * and restarts the idle clock.
 */
export function applyCommand(state: CartState, command: CartCommand, pricing: Pricing, now: string): CartState {
  checkCommand(state, command);
  const priced = applyPrices(state, pricing, now);
  const item = 'productId' in command ? pricing.items.find((i) => i.productId === command.productId) : undefined;
  const current =
    'productId' in command ? (priced.lines.find((l) => l.productId === command.productId)?.quantity ?? 0) : 0;
  let next: CartState;
  switch (command.type) {
    case 'add':
      next = withLine(priced, command.productId, current + command.quantity, item, now);
      break;
    case 'set':
      next = withLine(priced, command.productId, command.quantity, item, now);
      break;
    case 'adjust':
      next = withLine(priced, command.productId, current + command.delta, item, now);
      break;
    case 'remove':
      next = withLine(priced, command.productId, 0, item, now);
      break;
    case 'clear':
      next = { ...priced, lines: [] };
      break;
  }
  return { ...next, updatedAt: now, lastActivityAt: now };
}

/** The idle period's reminder has gone out. */
export function markReminded(state: CartState, forActivityAt: string): CartState {
  return { ...state, remindedForActivityAt: forActivityAt };
}

/** Closes an idle cart for good. */
export function markAbandoned(state: CartState, now: string): CartState {
  return { ...state, status: 'abandoned', closedAt: now, updatedAt: now };
}

/** Closes the cart because it became an order. */
export function markCheckedOut(state: CartState, orderId: string, now: string): CartState {
  return { ...state, status: 'checked_out', orderId, closedAt: now, updatedAt: now };
}

/** A checkout whose order could not be started: the cart is open again, with its lines. */
export function reopenCart(state: CartState, now: string): CartState {
  return { ...state, status: 'active', orderId: null, closedAt: null, updatedAt: now };
}

const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

/** The next moments the cart's clock matters: reminder (if still due) and abandonment. */
export function deadlines(
  state: CartState,
  timeouts: CartTimeouts,
): { reminderAt: string | null; abandonAt: string | null } {
  if (state.status !== 'active') return { reminderAt: null, abandonAt: null };
  const reminderDue =
    state.remindedForActivityAt !== state.lastActivityAt && timeouts.idleTimeoutMs < timeouts.abandonAfterMs;
  return {
    reminderAt: reminderDue ? plus(state.lastActivityAt, timeouts.idleTimeoutMs) : null,
    abandonAt: plus(state.lastActivityAt, timeouts.abandonAfterMs),
  };
}

/** The cart as customers see it: totals, counts and the flags that need their attention. */
export function cartView(state: CartState, timeouts: CartTimeouts): CartView {
  const lines = state.lines.map((line): CartLineView => {
    const available = line.available ?? 0;
    const priceChanged = line.unitPriceCents !== line.agreedUnitPriceCents;
    return {
      productId: line.productId,
      sku: line.sku,
      name: line.name,
      vendorId: line.vendorId,
      quantity: line.quantity,
      unitPriceCents: line.unitPriceCents,
      lineTotalCents: line.unitPriceCents * line.quantity,
      priceChanged,
      previousUnitPriceCents: priceChanged ? line.agreedUnitPriceCents : null,
      available,
      outOfStock: available === 0,
      insufficientStock: available > 0 && available < line.quantity,
      addedAt: line.addedAt,
    };
  });
  const { reminderAt, abandonAt } = deadlines(state, timeouts);
  return {
    id: state.id,
    status: state.status,
    currency: state.currency,
    customerId: state.customerId,
    lines,
    itemCount: lines.reduce((n, l) => n + l.quantity, 0),
    totalCents: lines.reduce((n, l) => n + l.lineTotalCents, 0),
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    pricedAt: state.pricedAt,
    reminderAt,
    expiresAt: abandonAt,
    closedAt: state.closedAt,
    orderId: state.orderId,
  };
}

/** Markdown for operators (the Web UI's "current details"): who, what, how much, until when. */
export function describeCart(view: CartView): string {
  const rows = view.lines.map(
    (l) =>
      `| ${l.sku} | ${l.name.replaceAll('|', '/')} | ${l.quantity} | ${money(l.unitPriceCents, view.currency)} | ${money(l.lineTotalCents, view.currency)}${l.priceChanged ? ' (price changed)' : ''}${l.outOfStock ? ' (out of stock)' : ''} |`,
  );
  return [
    `**Cart ${view.status.replace('_', ' ')}**: ${view.itemCount} item(s), ${money(view.totalCents, view.currency)}` +
      (view.customerId ? ` for customer \`${view.customerId}\`` : ''),
    view.expiresAt
      ? `Abandoned at ${view.expiresAt} unless the customer comes back.`
      : view.orderId
        ? `Became order \`${view.orderId}\`.`
        : '',
    '',
    ...(rows.length
      ? ['| SKU | Product | Qty | Unit | Line |', '| --- | --- | --- | --- | --- |', ...rows]
      : ['(empty)']),
  ].join('\n');
}
