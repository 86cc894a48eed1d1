/**
 * `npm run histories:record`: records the replay corpus, test/replay/histories/*.json. Brings up
 * everything it needs on its own, in a temporary directory (an embedded PostgreSQL, migrated and
 * seeded; a Temporal dev server; the API and a worker in this process), drives every path of carts
 * and orders through the public HTTP API with durations of a second or so, waits until each
 * workflow has closed, and writes its history as `temporal workflow show --output json` does (run
 * through Prettier, whitespace only, so the repository's format check passes). Each history is
 * replayed against the code that recorded it before it is written. Exits 1 if any scenario did
 * not end as expected; the files of the others are written all the same.
 *
 * Re-record after a workflow change that is meant to change histories (and keep the old files
 * where they still matter for replay, e.g. in a subfolder).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import * as prettier from 'prettier';
import { seedCatalog } from '../prisma/seed.js';
import { buildApp } from '../src/api/app.js';
import { emailSearchHash, encryptingDataConverter } from '../src/codec/data-converter.js';
import { OrderAccess } from '../src/api/identity/order-access.js';
import { CORPUS_PAYLOAD_KEYS } from '../src/replay/corpus-key.js';
import { loadConfig } from '../src/config.js';
import { migrateDatabase } from '../src/db/migrate.js';
import { createPrisma } from '../src/db/prisma.js';
import { startEmbeddedPostgres } from '../src/dev/embedded-postgres.js';
import { ensureTemporalCli } from '../src/dev/temporal-cli.js';
import { startTemporalDevServer } from '../src/dev/temporal-dev-server.js';
import { createPaymentProvider } from '../src/payments/index.js';
import { parseHistoryJson, workflowTypeOf } from '../src/replay/histories.js';
import { freePort } from '../src/dev/ports.js';
import { historyToJson } from '../src/replay/history-json.js';
import { replayHistory } from '../src/replay/replayer.js';
import { createWorker, workflowsPath } from '../src/worker/create-worker.js';
import {
  initialOrderSearchAttributes,
  type OrderPolicy,
  type OrderWorkflowInput,
} from '../src/contracts/order.contract.js';
import { WorkflowType, workflowId } from '../src/contracts/temporal.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = path.join(root, 'test', 'replay', 'histories');
const COMMAND = 'npm run histories:record';

/** Durations short enough that every path ends within seconds (the same spirit as the tests' fastOrders). */
const durations: Record<string, string> = {
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

const address = {
  name: 'Ada Lovelace',
  line1: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
};

/** One history to write: which workflow run, into which file, and what it covers. */
interface Recording {
  file: string;
  covers: string;
  workflowId: string;
  /** A run of the workflow other than its latest. */
  runId?: string;
  /** How the run must have closed. */
  closedAs: 'COMPLETED' | 'CONTINUED_AS_NEW';
}

interface Scenario {
  name: string;
  run(ctx: Ctx): Promise<Recording[]>;
}

interface Product {
  id: string;
  sku: string;
  priceCents: number;
}

// Response bodies come in many shapes; each scenario checks the few fields it relies on.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

interface Ctx {
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
  /** Starts an order directly, with durations of its own (the API takes them from the configuration). */
  startOrder(
    lines: { productId: string; quantity: number }[],
    policy: Partial<OrderPolicy>,
    paymentMethod?: string | null,
  ): Promise<string>;
  /** Runs SQL against the shop's database (to make a step fail the way a broken migration would). */
  sql(text: string): Promise<void>;
}

async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(value)}`);
    await sleep(150);
  }
}

function expectStatus(res: { status: number; body: unknown }, status: number, what: string) {
  if (res.status !== status)
    throw new Error(`${what}: expected HTTP ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
}

async function placeOrder(ctx: Ctx, lines: { productId: string; quantity: number }[], paymentMethod?: string) {
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
async function newCart(ctx: Ctx, json: { email?: string } = {}): Promise<string> {
  const made = cartsMade.then(() => ctx.http('/api/carts', { method: 'POST', json }));
  cartsMade = made.catch(() => undefined);
  const res = await made;
  expectStatus(res, 201, 'creating the cart');
  return res.body.id as string;
}

const getOrder = async (ctx: Ctx, orderId: string) => (await ctx.http(`/api/orders/${orderId}`)).body;
const orderReaches = (ctx: Ctx, orderId: string, what: string, ok: (order: Body) => boolean) =>
  until(
    `order ${orderId} ${what}`,
    () => getOrder(ctx, orderId),
    (o: Body) => Boolean(o) && ok(o),
  );

function expectThat(condition: boolean, message: string) {
  if (!condition) throw new Error(message);
}

const order = (file: string, orderId: string, covers: string): Recording => ({
  file,
  covers,
  workflowId: `order-${orderId}`,
  closedAs: 'COMPLETED',
});

const scenarios: Scenario[] = [
  {
    name: 'order happy path',
    async run(ctx) {
      const [a, b] = ctx.products(2);
      const id = await placeOrder(
        ctx,
        [
          { productId: a!.id, quantity: 2 },
          { productId: b!.id, quantity: 1 },
        ],
        'pm_card_visa',
      );
      await orderReaches(ctx, id, 'delivered', (o) => o.status === 'delivered');
      return [
        order(
          'order-happy-path.json',
          id,
          'Order placed with a working card: stock held, authorized, picked, captured, shipped, delivered, return window over.',
        ),
      ];
    },
  },
  {
    name: 'declined card, then another card',
    async run(ctx) {
      const [a] = ctx.products(1);
      const id = await placeOrder(ctx, [{ productId: a!.id, quantity: 1 }], 'pm_card_chargeDeclined');
      await orderReaches(ctx, id, 'declined', (o) => o.payment.step === 'declined');
      const paid = await ctx.http(`/api/orders/${id}/payment`, {
        method: 'POST',
        json: { paymentMethod: 'pm_card_visa' },
      });
      expectStatus(paid, 200, 'paying with another card');
      await orderReaches(ctx, id, 'delivered', (o) => o.status === 'delivered');
      return [
        order(
          'order-declined-then-paid.json',
          id,
          'Card declined; the customer gives another card (update `providePaymentMethod`); delivered.',
        ),
      ];
    },
  },
  {
    name: '3-D Secure',
    async run(ctx) {
      const [a] = ctx.products(1);
      const id = await placeOrder(ctx, [{ productId: a!.id, quantity: 1 }], 'pm_card_authenticationRequired');
      const waiting = await orderReaches(ctx, id, 'requires_action', (o) => o.payment.step === 'requires_action');
      const confirmed = await ctx.http(`/simulated-payments/${waiting.payment.paymentId}/authenticate`, {
        method: 'POST',
        json: { outcome: 'succeed' },
      });
      expectStatus(confirmed, 200, 'confirming 3-D Secure');
      await orderReaches(ctx, id, 'delivered', (o) => o.status === 'delivered');
      return [
        order(
          'order-3ds.json',
          id,
          'Card needs 3-D Secure: the order waits, the bank page confirms (signal `paymentEvent`), delivered.',
        ),
      ];
    },
  },
  {
    name: 'backorder resolved by a restock',
    async run(ctx) {
      const product = await ctx.productWithStock('REPLAY-RESTOCK', {
        onHand: 1,
        restockThreshold: 2,
        restockQuantity: 10,
      });
      const id = await placeOrder(ctx, [{ productId: product.id, quantity: 2 }], 'pm_card_visa');
      const delivered = await orderReaches(ctx, id, 'delivered', (o) => o.status === 'delivered');
      expectThat(
        delivered.timeline.some((t: { type: string }) => t.type === 'backordered'),
        `order ${id} was never backordered: ${JSON.stringify(delivered.timeline)}`,
      );
      const events = (await ctx.client.workflow.getHandle(`order-${id}`).fetchHistory()).events ?? [];
      expectThat(
        events.some((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'stockArrived'),
        `order ${id} got its stock before the restock's stockArrived signal woke it (its retry timer won the race)`,
      );
      return [
        order(
          'order-backorder-restock.json',
          id,
          'A line is backordered; the order starts the `restock-<sku>` child workflow, is woken by it (signal `stockArrived`) and ships.',
        ),
        {
          file: 'restock.json',
          covers:
            'The restock workflow itself (`restock-REPLAY-RESTOCK`): requested → ordered → in transit → received on timers, then signals the waiting order.',
          workflowId: `restock-${product.sku}`,
          closedAs: 'COMPLETED',
        },
      ];
    },
  },
  {
    name: 'backorder timeout, partial shipment',
    async run(ctx) {
      const [a] = ctx.products(1);
      const never = await ctx.productWithStock('REPLAY-NEVER', { onHand: 0 });
      const id = await placeOrder(
        ctx,
        [
          { productId: a!.id, quantity: 1 },
          { productId: never.id, quantity: 3 },
        ],
        'pm_card_visa',
      );
      await orderReaches(ctx, id, 'backordered', (o) => o.status === 'backordered');
      const delivered = await orderReaches(ctx, id, 'delivered', (o) => o.status === 'delivered');
      const lines = delivered.lines.map((l: { status: string }) => l.status).join(',');
      expectThat(lines === 'shipped,cancelled', `order ${id} lines ended ${lines}, not shipped,cancelled`);
      return [
        order(
          'order-backorder-timeout-partial.json',
          id,
          'A line waits past MAX_BACKORDER_WAIT: it is cancelled, the rest ships with a partial capture.',
        ),
      ];
    },
  },
  {
    name: 'cancel before shipping',
    async run(ctx) {
      const [a] = ctx.products(1);
      const never = await ctx.productWithStock('REPLAY-CANCEL', { onHand: 0 });
      const id = await placeOrder(
        ctx,
        [
          { productId: a!.id, quantity: 1 },
          { productId: never.id, quantity: 1 },
        ],
        'pm_card_visa',
      );
      await orderReaches(ctx, id, 'backordered', (o) => o.status === 'backordered');
      const cancelled = await ctx.http(`/api/orders/${id}/cancel`, { method: 'POST' });
      expectStatus(cancelled, 200, 'cancelling');
      expectThat(cancelled.body.status === 'cancelled', `order ${id} is ${cancelled.body.status} after cancel`);
      return [
        order(
          'order-cancel-before-shipping.json',
          id,
          'The customer cancels a backordered order (update `cancelOrder`): hold released, wait ended, payment voided.',
        ),
      ];
    },
  },
  {
    name: 'refund after shipping',
    async run(ctx) {
      const [a, b] = ctx.products(2);
      const id = await placeOrder(
        ctx,
        [
          { productId: a!.id, quantity: 1 },
          { productId: b!.id, quantity: 2 },
        ],
        'pm_card_visa',
      );
      await orderReaches(ctx, id, 'shipped', (o) => o.status === 'shipped' || o.status === 'delivered');
      const refused = await ctx.http(`/api/orders/${id}/cancel`, { method: 'POST' });
      expectStatus(refused, 409, 'cancelling after shipping');
      const refund = await ctx.http(`/api/admin/orders/${id}/refund`, {
        method: 'POST',
        admin: true,
        json: { amountCents: b!.priceCents, reason: 'one item returned' },
      });
      expectStatus(refund, 200, 'refunding');
      await until(
        `order ${id} refunded`,
        () => getOrder(ctx, id),
        (o) => o.payment.refundedCents === b!.priceCents,
      );
      return [
        order(
          'order-refund-after-shipping.json',
          id,
          'Cancel after shipping is refused; an operator refunds one returned item within the return window (update `refundOrder`).',
        ),
      ];
    },
  },
  {
    name: 'force-cancel after shipping',
    async run(ctx) {
      const [a] = ctx.products(1);
      const id = await placeOrder(ctx, [{ productId: a!.id, quantity: 2 }], 'pm_card_visa');
      await orderReaches(ctx, id, 'shipped', (o) => o.status === 'shipped' || o.status === 'delivered');
      const cancelled = await ctx.http(`/api/admin/orders/${id}/force-cancel`, {
        method: 'POST',
        admin: true,
        json: { reason: 'fraud confirmed' },
      });
      expectStatus(cancelled, 200, 'force-cancelling after shipping');
      const end = await orderReaches(ctx, id, 'cancelled', (o) => o.status === 'cancelled');
      expectThat(
        end.payment.refundedCents === end.payment.capturedCents && end.payment.capturedCents > 0,
        `order ${id} refunded ${end.payment.refundedCents} of ${end.payment.capturedCents}`,
      );
      return [
        order(
          'order-force-cancel-after-shipping.json',
          id,
          'An operator force-cancels a shipped order (update `forceCancelOrder`): everything captured is refunded.',
        ),
      ];
    },
  },
  {
    name: 'payment timeout',
    async run(ctx) {
      const [a] = ctx.products(1);
      const id = await placeOrder(ctx, [{ productId: a!.id, quantity: 1 }]);
      const cancelled = await orderReaches(ctx, id, 'cancelled', (o) => o.status === 'cancelled');
      expectThat(cancelled.cancelReason === 'payment_timeout', `order ${id} cancelled for ${cancelled.cancelReason}`);
      return [
        order(
          'order-payment-timeout.json',
          id,
          'Placed without a payment method and never paid: cancelled after PAYMENT_TIMEOUT, stock released.',
        ),
      ];
    },
  },
  {
    name: 'an unpaid hold that lapsed',
    async run(ctx) {
      const [a, b] = ctx.products(2);
      const lines = [
        { productId: a!.id, quantity: 1 },
        { productId: b!.id, quantity: 2 },
      ];
      const id = await ctx.startOrder(lines, { unpaidHoldMs: 1_500 }, null);
      // Lines are pending before their first hold too: a lapse is a line_pending after a line_held.
      await orderReaches(
        ctx,
        id,
        'gave its holds back',
        (o) => o.timeline.filter((t: { type: string }) => t.type === 'line_pending').length === lines.length,
      );
      const paid = await ctx.http(`/api/orders/${id}/payment`, {
        method: 'POST',
        json: { paymentMethod: 'pm_card_visa' },
      });
      expectThat(paid.status < 300, `paying order ${id}: HTTP ${paid.status} ${JSON.stringify(paid.body)}`);
      await orderReaches(ctx, id, 'delivered', (o) => o.status === 'delivered');
      return [
        order(
          'order-unpaid-hold-lapsed.json',
          id,
          'Placed without a payment method: its holds lapse after UNPAID_HOLD_TIMEOUT (1.5s here) and the lines wait as pending; paid later, the stock is held again and the order is delivered.',
        ),
      ];
    },
  },
  {
    name: 'an order that continued as new',
    async run(ctx) {
      const [a] = ctx.products(1);
      const later = await ctx.productWithStock('REPLAY-LONG-WAIT', { onHand: 0 });
      // A retry every 100 ms and a short run: the wait continues as new within seconds.
      const id = await ctx.startOrder(
        [
          { productId: a!.id, quantity: 1 },
          { productId: later.id, quantity: 1 },
        ],
        { backorderRetryIntervalMs: 100, maxBackorderWaitMs: 120_000, historyEventsPerRun: 200 },
      );
      await until(
        `order ${id} continued as new`,
        () => getOrder(ctx, id),
        (o: Body) => Boolean(o?.timeline?.some((t: { type: string }) => t.type === 'continued_as_new')),
        90_000,
      );
      const stocked = await ctx.http(`/api/admin/products/${later.id}/inventory`, {
        method: 'PUT',
        admin: true,
        json: { onHand: 5, restockThreshold: 0, restockQuantity: 0 },
      });
      expectStatus(stocked, 200, 'adding stock');
      await orderReaches(ctx, id, 'delivered', (o) => o.status === 'delivered');
      const workflowId = `order-${id}`;
      const last = await ctx.client.workflow.getHandle(workflowId).describe();
      const history = await ctx.client.workflow.getHandle(workflowId, last.runId).fetchHistory();
      const firstRunId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.firstExecutionRunId;
      expectThat(Boolean(firstRunId) && firstRunId !== last.runId, `order ${id} never continued as new`);
      return [
        {
          file: 'order-continued-as-new.json',
          covers:
            'The first run of an order on a long backorder: placed, paid, waiting, then continued as new at HISTORY_EVENTS_PER_RUN (200 here) with its state and saga.',
          workflowId,
          runId: firstRunId!,
          closedAs: 'CONTINUED_AS_NEW',
        },
        {
          file: 'order-after-continue-as-new.json',
          covers:
            'The last run of that order: resumes the wait from the carried state, holds the stock that arrived, ships.',
          workflowId,
          runId: last.runId,
          closedAs: 'COMPLETED',
        },
      ];
    },
  },
  {
    name: 'an order stopped at a step, then retried',
    async run(ctx) {
      const frozen = await ctx.productWithStock('REPLAY-FROZEN', { onHand: 5 });
      await ctx.sql(`CREATE FUNCTION replay_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'maintenance: reservations are frozen'; END $$`);
      await ctx.sql(`CREATE TRIGGER replay_refuse_holds BEFORE INSERT ON reservations FOR EACH ROW
        WHEN (NEW.product_id = '${frozen.id}') EXECUTE FUNCTION replay_refuse()`);
      const id = await placeOrder(ctx, [{ productId: frozen.id, quantity: 1 }], 'pm_card_visa');
      await orderReaches(ctx, id, 'stopped at a step', (o) => o.flags.includes('step_failed'));
      await ctx.sql('DROP TRIGGER replay_refuse_holds ON reservations');
      expectStatus(
        await ctx.http(`/api/admin/orders/${id}/retry`, { method: 'POST', admin: true }),
        200,
        'retrying the step',
      );
      await orderReaches(ctx, id, 'delivered', (o) => o.status === 'delivered');
      return [
        order(
          'order-step-failed-then-retried.json',
          id,
          'The database refuses a hold for good (data_rejected): the order stops flagged step_failed and alerts the operators; an operator fixes it and retries the step (update `retryStep`); delivered.',
        ),
      ];
    },
  },
  {
    name: 'a cart through checkout',
    async run(ctx) {
      const [a, b] = ctx.products(2);
      const cartId = await newCart(ctx);
      for (const [p, quantity] of [
        [a!, 2],
        [b!, 1],
      ] as const) {
        expectStatus(
          await ctx.http(`/api/carts/${cartId}/items`, { method: 'POST', json: { productId: p.id, quantity } }),
          200,
          'adding to the cart',
        );
      }
      const checkout = await ctx.http(`/api/carts/${cartId}/checkout`, {
        method: 'POST',
        json: { email: 'replay@example.com', shippingAddress: address, paymentMethod: 'pm_card_visa' },
      });
      expectStatus(checkout, 202, 'checking out');
      const orderId = checkout.body.orderId as string;
      await orderReaches(ctx, orderId, 'delivered', (o) => o.status === 'delivered');
      return [
        {
          file: 'cart-checkout.json',
          covers:
            'A cart made by POST /api/carts, two items, checkout: the order starts as a child workflow and the cart closes.',
          workflowId: `cart-${cartId}`,
          closedAs: 'COMPLETED',
        },
        order(
          'order-from-checkout.json',
          orderId,
          'The order that checkout started, as a child of the cart, to delivery.',
        ),
      ];
    },
  },
  {
    name: 'a cart that continued as new',
    async run(ctx) {
      const products = ctx.products(3);
      const cartId = await newCart(ctx);
      for (let i = 0; i < 6; i++) {
        const res = await ctx.http(`/api/carts/${cartId}/items`, {
          method: 'POST',
          json: { productId: products[i % 3]!.id, quantity: 1 },
        });
        expectStatus(res, 200, `adding item ${i + 1} to the cart`);
      }
      const checkout = await ctx.http(`/api/carts/${cartId}/checkout`, {
        method: 'POST',
        json: { email: 'replay@example.com', shippingAddress: address, paymentMethod: 'pm_card_visa' },
      });
      expectStatus(checkout, 202, 'checking out');
      const workflowId = `cart-${cartId}`;
      const last = await ctx.client.workflow.getHandle(workflowId).describe();
      const history = await ctx.client.workflow.getHandle(workflowId, last.runId).fetchHistory();
      const firstRunId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.firstExecutionRunId;
      expectThat(Boolean(firstRunId) && firstRunId !== last.runId, `cart ${cartId} never continued as new`);
      return [
        {
          file: 'cart-continued-as-new.json',
          covers: `The first run of a cart that continues as new after CART_MAX_UPDATES_PER_RUN (${durations.CART_MAX_UPDATES_PER_RUN}) updates, carrying its state.`,
          workflowId,
          runId: firstRunId!,
          closedAs: 'CONTINUED_AS_NEW',
        },
        {
          file: 'cart-after-continue-as-new.json',
          covers: 'The last run of that cart: starts from the carried state, takes more items, checks out.',
          workflowId,
          runId: last.runId,
          closedAs: 'COMPLETED',
        },
      ];
    },
  },
  {
    name: 'an abandoned cart',
    async run(ctx) {
      const [a] = ctx.products(1);
      const cartId = await newCart(ctx, { email: 'replay@example.com' });
      expectStatus(
        await ctx.http(`/api/carts/${cartId}/items`, { method: 'POST', json: { productId: a!.id, quantity: 1 } }),
        200,
        'adding to the cart',
      );
      await until(
        `cart ${cartId} abandoned`,
        async () => (await ctx.http(`/api/carts/${cartId}`)).body,
        (c) => c?.status === 'abandoned',
      );
      return [
        {
          file: 'cart-abandoned.json',
          covers: `A cart left alone: one reminder after CART_IDLE_TIMEOUT (${durations.CART_IDLE_TIMEOUT}), abandoned after CART_ABANDON_AFTER (${durations.CART_ABANDON_AFTER}).`,
          workflowId: `cart-${cartId}`,
          closedAs: 'COMPLETED',
        },
      ];
    },
  },
  {
    name: 'catalog import',
    async run(ctx) {
      const products = ctx.products(3);
      const rows = [
        ...products.map((p, i) => ({ sku: p.sku, priceCents: p.priceCents + 100, onHand: 200 + i })),
        { sku: 'REPLAY-NO-SUCH-SKU', priceCents: 500 },
      ];
      const started = await ctx.http('/api/admin/imports', { method: 'POST', admin: true, json: { rows } });
      expectStatus(started, 202, 'starting the import');
      const done = await until(
        `import ${started.body.importId}`,
        async () => (await ctx.http(started.body.statusUrl, { admin: true })).body,
        (p) => p?.status === 'completed',
      );
      expectThat(done.updated === 3 && done.failed.length === 1, `import ended ${JSON.stringify(done)}`);
      return [
        {
          file: 'catalog-import.json',
          covers: 'A bulk price and stock import of four rows, one of them an unknown SKU.',
          workflowId: started.body.workflowId,
          closedAs: 'COMPLETED',
        },
      ];
    },
  },
];

/** The README of the corpus, generated so that it always lists what was recorded. */
function corpusReadme(recorded: (Recording & { workflowType: string; events: number })[]): string {
  const rows = [...recorded]
    .sort((a, b) => a.file.localeCompare(b.file))
    .map((r) => `| \`${r.file}\` | \`${r.workflowType}\` | ${r.covers} |`);
  return `# Replay corpus

Histories of real carts and orders, replayed by \`test/replay/corpus.test.ts\` against the workflow
code of every test run: a change to a workflow that no longer replays one of them fails the tests,
naming the file. Each file is what \`temporal workflow show --workflow-id ID --output json\` prints
(formatted by Prettier). Their payloads are encrypted, as a shop's are, with the corpus's own
public key (\`src/replay/corpus-key.ts\`): to replay one by hand, give that key,
\`PAYLOAD_KEYS=<CORPUS_PAYLOAD_KEYS> npm run replay -- --file test/replay/histories/order-happy-path.json\`.

Recorded by \`${COMMAND}\` (scripts/record-histories.ts), which starts its own PostgreSQL, Temporal
dev server, API and worker, drives each path through the HTTP API with these durations:
${Object.entries(durations)
  .map(([k, v]) => `\`${k}=${v}\``)
  .join(', ')}.

| file | workflow | path |
| --- | --- | --- |
${rows.join('\n')}

Subfolders hold histories recorded by older workflow code (kept when a change is guarded with
\`patched()\`); \`${COMMAND}\` only rewrites the files listed above.
`;
}

async function main(): Promise<number> {
  const started = Date.now();
  const say = (line: string) => console.log(`[record] ${line} (+${((Date.now() - started) / 1000).toFixed(1)}s)`);
  Runtime.install({ logger: new DefaultLogger('WARN') });

  const tmp = await mkdtemp(path.join(tmpdir(), 'record-histories-'));
  // PostgreSQL runs as its own user where this runs as root: it must reach its directory.
  await chmod(tmp, 0o755);
  const cleanups: (() => Promise<unknown>)[] = [() => rm(tmp, { recursive: true, force: true })];
  const cleanUp = async () => {
    for (const step of cleanups.splice(0).reverse()) await step().catch((err) => say(`cleanup: ${err.message}`));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void cleanUp().then(() => process.exit(130)));
  }

  try {
    say('starting PostgreSQL and Temporal, bundling the workflows ...');
    const [postgres, temporal, bundle] = await Promise.all([
      (async () => {
        const pg = await startEmbeddedPostgres({
          dir: path.join(tmp, 'pg'),
          port: await freePort(),
          user: 'postgres',
          password: 'postgres',
          database: 'orchestrator',
          logFile: path.join(tmp, 'postgres.log'),
        });
        cleanups.push(pg.stop);
        await migrateDatabase(pg.url);
        const prisma = createPrisma(pg.url, 2);
        await seedCatalog(prisma);
        await prisma.$disconnect();
        return pg;
      })(),
      (async () => {
        const cliPath = await ensureTemporalCli(process.env.TEMPORAL_CLI_PATH || undefined, say);
        const server = await startTemporalDevServer({
          cliPath,
          ip: '127.0.0.1',
          port: await freePort(),
          uiPort: await freePort(),
          namespace: 'default',
          dbFile: path.join(tmp, 'temporal.sqlite'),
          logFile: path.join(tmp, 'temporal.log'),
          pidFile: path.join(tmp, 'temporal.pid'),
        });
        cleanups.push(server.stop);
        return server;
      })(),
      bundleWorkflowCode({
        workflowsPath,
        logger: { trace() {}, debug() {}, info() {}, log() {}, warn: console.warn, error: console.error },
      }),
    ]);
    await mkdir(outDir, { recursive: true });
    const bundlePath = path.join(tmp, 'workflow-bundle.js');
    await writeFile(bundlePath, bundle.code);

    const adminToken = `record_${randomBytes(16).toString('hex')}`;
    // Only these settings: whatever the caller's environment says, every recording is made the same way.
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      PORT: '0',
      DATA_DIR: path.join(tmp, 'data'),
      DATABASE_URL: postgres.url,
      TEMPORAL_ADDRESS: temporal.address,
      TASK_QUEUE: 'record-histories',
      ADMIN_TOKEN: adminToken,
      // Payloads encrypted as a shop's are, with the corpus's public key: the tests replay with it.
      PAYLOAD_KEYS: CORPUS_PAYLOAD_KEYS,
      EMAIL_HASH_SECRET: 'replay-corpus-email-hash-secret-0123456789',
      // One client is every shopper here.
      ...Object.fromEntries(
        ['SIGN_IN', 'CARTS', 'ORDERS', 'PAYMENTS'].flatMap((g) => [
          [`RATE_LIMIT_${g}_PER_IP`, '1000000'],
          [`RATE_LIMIT_${g}_PER_SHOPPER`, '1000000'],
        ]),
      ),
      ...durations,
    });
    const prisma = createPrisma(config.databaseUrl, 10);
    cleanups.push(() => prisma.$disconnect());
    const connection = await Connection.connect({ address: config.temporal.address });
    cleanups.push(() => connection.close());
    const dataConverter = encryptingDataConverter(config.security.payloadKeys);
    const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter });
    const payments = createPaymentProvider(config, prisma);
    const app = await buildApp({ config, prisma, temporal: { client, connection }, payments }, { logger: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => app.close());
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

    const workerConnection = await NativeConnection.connect({ address: config.temporal.address });
    cleanups.push(() => workerConnection.close());
    const worker = await createWorker({
      connection: workerConnection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      deps: { prisma, payments },
      dataConverter,
      workflowBundlePath: bundlePath,
    });
    const running = worker.run();
    cleanups.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });
    say(`stack up: API ${url}, Temporal ${temporal.address}`);

    // One shopper's browser: its session cookie (its carts), and each order's access token.
    const access = new OrderAccess(prisma, config.security.orderTokenSecret);
    let cookie: string | undefined;
    const http: Ctx['http'] = async (p, { method = 'GET', json, admin } = {}) => {
      const orderId = /^\/api\/orders\/([^/?]+)/.exec(p)?.[1];
      const res = await fetch(`${url}${p}`, {
        method,
        headers: {
          ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(admin ? { authorization: `Bearer ${adminToken}` } : {}),
          ...(cookie ? { cookie } : {}),
          ...(orderId ? { 'x-order-token': access.tokenFor(orderId) } : {}),
        },
        body: json !== undefined ? JSON.stringify(json) : undefined,
      });
      cookie = res.headers.get('set-cookie')?.split(';')[0] ?? cookie;
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };
    // Signed in before anything runs: the scenarios run at once, and their carts share this session.
    const account = await http('/api/auth/sign-up', {
      method: 'POST',
      json: { email: 'replay@example.com', password: randomBytes(12).toString('hex') },
    });
    expectStatus(account, 201, 'signing up');
    const page = await http('/api/products?sort=price&inStock=true&limit=100');
    const pool: Product[] = page.body.items
      .filter((p: { available: number }) => p.available >= 50)
      .map((p: Product) => ({ id: p.id, sku: p.sku, priceCents: p.priceCents }));
    const facets = (await http('/api/catalog/facets')).body;
    const ctx: Ctx = {
      http,
      client,
      async startOrder(lines, policy, paymentMethod = 'pm_card_visa') {
        const orderId = randomUUID();
        const input: OrderWorkflowInput = {
          orderId,
          lines,
          email: 'replay@example.com',
          shippingAddress: address,
          paymentMethod,
          currency: config.currency,
          policy: { ...config.order, ...policy },
        };
        await client.workflow.start(WorkflowType.order, {
          workflowId: workflowId.order(orderId),
          taskQueue: config.temporal.taskQueue,
          args: [input],
          typedSearchAttributes: initialOrderSearchAttributes({
            emailHash: emailSearchHash(config.security.emailHashSecret, input.email),
          }),
          staticSummary: `Order for ${input.email}`,
        });
        return orderId;
      },
      async sql(text) {
        await prisma.$executeRawUnsafe(text);
      },
      products(n) {
        if (pool.length < n) throw new Error('the seeded catalog has too few products in stock');
        return pool.splice(0, n);
      },
      async productWithStock(sku, inventory) {
        const res = await http('/api/admin/products', {
          method: 'POST',
          admin: true,
          json: {
            sku,
            name: `Replay corpus ${sku}`,
            priceCents: 2500,
            category: facets.categories[0].category,
            vendorId: facets.vendors[0].id,
            inventory: { restockThreshold: 0, restockQuantity: 0, ...inventory },
          },
        });
        expectStatus(res, 201, `creating product ${sku}`);
        return res.body as Product;
      },
    };

    /** Waits for the run to close as expected, then checks, replays and writes its history. */
    async function record(r: Recording) {
      const handle = client.workflow.getHandle(r.workflowId, r.runId);
      const closed = await until(
        `${r.workflowId} to close`,
        () => handle.describe(),
        (d) => d.status.name !== 'RUNNING',
      );
      if (closed.status.name !== r.closedAs)
        throw new Error(`${r.workflowId} run ${closed.runId} closed ${closed.status.name}, not ${r.closedAs}`);
      const history = await client.workflow.getHandle(r.workflowId, closed.runId).fetchHistory();
      const file = path.join(outDir, r.file);
      const options = (await prettier.resolveConfig(file)) ?? {};
      const json = await prettier.format(historyToJson(history), { ...options, filepath: file });
      // What the tests and `npm run replay --file` will read must be this very history.
      const reread = parseHistoryJson(json, r.file);
      if (reread.events?.length !== history.events?.length)
        throw new Error(`${r.file} reads back with ${reread.events?.length} events, not ${history.events?.length}`);
      const replay = await replayHistory(
        {
          source: r.file,
          workflowId: r.workflowId,
          runId: closed.runId,
          workflowType: closed.type,
          history: reread,
        },
        { codePath: bundlePath },
        dataConverter,
      );
      if (replay.status !== 'ok') throw new Error(`${r.file} does not replay: ${replay.reason}`);
      await writeFile(file, json);
      return { ...r, workflowType: workflowTypeOf(history) ?? closed.type, events: history.events?.length ?? 0 };
    }

    say(`running ${scenarios.length} scenarios ...`);
    const outcomes = await Promise.allSettled(
      scenarios.map(async (s) => {
        const recordings = await s.run(ctx);
        // One at a time per scenario: replaying in parallel would only contend for the two cores.
        const written = [];
        for (const r of recordings) written.push(await record(r));
        return written;
      }),
    );

    const recorded = [];
    let failed = 0;
    for (const [i, outcome] of outcomes.entries()) {
      const name = scenarios[i]!.name;
      if (outcome.status === 'rejected') {
        failed++;
        console.log(`✘ ${name}: ${(outcome.reason as Error).message}`);
        continue;
      }
      for (const r of outcome.value) {
        recorded.push(r);
        console.log(
          `✔ ${name}: ${path.relative(root, path.join(outDir, r.file))}  ${r.workflowId}  ${r.workflowType}  ${r.closedAs}  ${r.events} events`,
        );
      }
    }
    if (failed === 0) {
      const readme = path.join(outDir, 'README.md');
      const options = (await prettier.resolveConfig(readme)) ?? {};
      await writeFile(readme, await prettier.format(corpusReadme(recorded), { ...options, filepath: readme }));
    }
    const known = new Set(recorded.map((r) => r.file));
    const others = (await readdir(outDir)).filter((f) => f.endsWith('.json') && !known.has(f));
    if (others.length > 0 && failed === 0)
      console.log(`Not recorded by this script (left as they are): ${others.join(', ')}`);
    say(
      failed === 0
        ? `recorded ${recorded.length} histories into ${path.relative(root, outDir)}/`
        : `${failed} of ${scenarios.length} scenarios failed; the README was left as it was`,
    );
    return failed === 0 ? 0 : 1;
  } finally {
    await cleanUp();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[record] ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
