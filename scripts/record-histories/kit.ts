/**
 * What the corpus's scenarios share (order-scenarios.ts, cart-scenarios.ts): the durations and the
 * address they record with, what a scenario is given, and small helpers over the HTTP API.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import type { OrderPolicy } from '../../src/contracts/order.contract.js';

/** Durations short enough that every path ends within seconds (the same spirit as the tests' fastOrders). */
export const durations: Record<string, string> = {
  // Long enough for a busy two-core machine to get through the steps a scenario takes before them.
  PAYMENT_TIMEOUT: '10s',
  PAYMENT_ACTION_TIMEOUT: '10s',
  // Longer than a restock's three steps, so a restock's signal (not this timer) is what wakes a backorder.
  BACKORDER_RETRY_INTERVAL: '4s',
  MAX_BACKORDER_WAIT: '10s',
  PICKING_DURATION: '300ms',
  SHIPPING_DURATION: '300ms',
  RETURN_WINDOW: '5s',
  RESTOCK_STEP_DURATION: '300ms',
  CART_IDLE_TIMEOUT: '3s',
  CART_ABANDON_AFTER: '6s',
  // A cart continues as new after 4 updates: the continue-as-new scenario makes 7.
  CART_MAX_UPDATES_PER_RUN: '4',
};

export const address = {
  name: 'Ada Lovelace',
  line1: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
};

/** One history to write: which workflow run, into which file, and what it covers. */
export interface Recording {
  file: string;
  covers: string;
  workflowId: string;
  /** A run of the workflow other than its latest. */
  runId?: string;
  /** How the run must have closed. */
  closedAs: 'COMPLETED' | 'CONTINUED_AS_NEW';
}

export interface Scenario {
  name: string;
  run(ctx: Ctx): Promise<Recording[]>;
}

export interface Product {
  id: string;
  sku: string;
  priceCents: number;
}

// Response bodies come in many shapes; each scenario checks the few fields it relies on.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Body = any;

export interface Ctx {
  http(
    path: string,
    init?: { method?: string; json?: unknown; admin?: boolean },
  ): Promise<{ status: number; body: Body }>;
  /** `n` products in stock that no other scenario uses. */
  products(n: number): Product[];
  /** A product of the scenario's own, with the stock given (created through the admin API). */
  productWithStock(
    sku: string,
    inventory: { onHand: number; restockThreshold?: number; restockQuantity?: number },
  ): Promise<Product>;
  client: Client;
  /** The worker's task queue, for workflows a scenario starts itself. */
  taskQueue: string;
  /** Starts an order directly, with durations of its own (the API takes them from the configuration). */
  startOrder(
    lines: { productId: string; quantity: number }[],
    policy: Partial<OrderPolicy>,
    paymentMethod?: string | null,
  ): Promise<string>;
  /** Runs SQL against the shop's database (to make a step fail the way a broken migration would). */
  sql(text: string): Promise<void>;
}

export async function until<T>(
  what: string,
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(value)}`);
    await sleep(150);
  }
}

export function expectStatus(res: { status: number; body: unknown }, status: number, what: string) {
  if (res.status !== status)
    throw new Error(`${what}: expected HTTP ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
}

export async function placeOrder(ctx: Ctx, lines: { productId: string; quantity: number }[], paymentMethod?: string) {
  const res = await ctx.http('/api/orders', {
    method: 'POST',
    json: { lines, email: 'replay@example.com', shippingAddress: address, ...(paymentMethod ? { paymentMethod } : {}) },
  });
  expectStatus(res, 202, 'placing the order');
  return res.body.orderId as string;
}

/**
 * A cart of the recording's shopper: the server makes its id. One at a time: a session is read and
 * written whole, so carts made at once in one session would each write over the others' ids.
 */
let cartsMade: Promise<unknown> = Promise.resolve();
export async function newCart(ctx: Ctx, json: { email?: string } = {}): Promise<string> {
  const made = cartsMade.then(() => ctx.http('/api/carts', { method: 'POST', json }));
  cartsMade = made.catch(() => undefined);
  const res = await made;
  expectStatus(res, 201, 'creating the cart');
  return res.body.id as string;
}

export const getOrder = async (ctx: Ctx, orderId: string) => (await ctx.http(`/api/orders/${orderId}`)).body;
export const orderReaches = (ctx: Ctx, orderId: string, what: string, ok: (order: Body) => boolean) =>
  until(
    `order ${orderId} ${what}`,
    () => getOrder(ctx, orderId),
    (o: Body) => Boolean(o) && ok(o),
  );

export function expectThat(condition: boolean, message: string) {
  if (!condition) throw new Error(message);
}

export const order = (file: string, orderId: string, covers: string): Recording => ({
  file,
  covers,
  workflowId: `order-${orderId}`,
  closedAs: 'COMPLETED',
});
