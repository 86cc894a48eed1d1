/**
 * The fast tier's harness: the real order and cart workflows on a real Temporal server, with every activity
 * stubbed by an in-memory shop (a World). One worker per test file; each activity call is routed
 * to the World of the workflow that made it, logged, and answered by the World's stub, which a test
 * replaces to take a branch (a hold refused, a decline, a provider outage, a database that refuses).
 */
import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import type { CartWorkflowInput } from '../../src/contracts/cart.contract.js';
import type { OrderPolicy, OrderWorkflowInput } from '../../src/contracts/order.contract.js';
import { getOrderQuery } from '../../src/contracts/order.contract.js';
import { WorkflowType, workflowId } from '../../src/contracts/temporal.js';
import type { CatalogItem } from '../../src/domain/cart.js';
import { orderView, type OrderView } from '../../src/domain/order.js';
import { confirmation, placed, priced, type LineHold } from '../../src/domain/order-placement.js';
import type { PaymentIntentView, RefundView } from '../../src/payments/provider.js';
import type { Activities } from '../../src/workflows/activities.js';
import type { cartWorkflow } from '../../src/workflows/cart.workflow.js';
import type { orderWorkflow } from '../../src/workflows/order/order.workflow.js';

export type OrderHandle = WorkflowHandle<typeof orderWorkflow>;
export type CartHandle = WorkflowHandle<typeof cartWorkflow>;

// The cart-race test fails workflow tasks on purpose: Core's warning for each is noise here.
Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR' } } } });

/** Durations of a fast order: every stage in well under a second, unless a test says otherwise. */
export const fastPolicy: OrderPolicy = {
  paymentTimeoutMs: 5_000,
  paymentActionTimeoutMs: 3_000,
  maxPaymentAttempts: 3,
  backorderRetryIntervalMs: 500,
  maxBackorderWaitMs: 3_000,
  pickingMs: 100,
  shippingMs: 100,
  returnWindowMs: 300,
  restockStepMs: 100,
  reauthorizeBeforeMs: 86_400_000,
  refundCheckIntervalMs: 300,
  paymentCheckIntervalMs: 300,
  paymentStepTimeoutMs: 1_500,
};

/** What a test's checkout of a stubbed cart sends: a working card, the fast policy. */
export const checkoutArgs = {
  email: 'ada@example.com',
  shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'London', postalCode: 'N1', country: 'GB' },
  paymentMethod: 'pm_card_visa',
  policy: fastPolicy,
};

export const productIds = [1, 2, 3].map((i) => `00000000-0000-4000-8000-00000000000${i}`);
const catalog: CatalogItem[] = productIds.map((productId, i) => ({
  productId,
  sku: `SKU-${i + 1}`,
  name: `Product ${i + 1}`,
  vendorId: '00000000-0000-4000-8000-0000000000ee',
  priceCents: 1000 * (i + 1),
  currency: 'USD',
  available: 10,
}));

/** A PaymentIntent as the provider answers it: authorized (held) unless `patch` says otherwise. */
export const intent = (id: string, amount: number, patch: Partial<PaymentIntentView> = {}): PaymentIntentView => ({
  id,
  status: 'requires_capture',
  amount,
  currency: 'USD',
  amountCapturable: amount,
  amountReceived: 0,
  amountRefunded: 0,
  clientSecret: `${id}_secret`,
  nextAction: null,
  lastError: null,
  captureBefore: new Date(Date.now() + 7 * 86_400_000).toISOString(),
  metadata: {},
  ...patch,
});

type Stubs = { [K in keyof Activities]: (...args: Parameters<Activities[K]>) => ReturnType<Activities[K]> };

/**
 * An in-memory shop for one order: catalog, stock, payment intents, and every activity call in the
 * order it was made. Its stubs answer as the real activities do on a good day; replace one to
 * take another branch.
 */
export class World {
  readonly calls: { name: string; args: any }[] = [];
  readonly stock = new Map(productIds.map((id) => [id, 10]));
  readonly intents = new Map<string, PaymentIntentView>();
  catalog = catalog;

  names = () => this.calls.map((c) => c.name);
  callsTo = (name: keyof Activities) => this.calls.filter((c) => c.name === name).map((c) => c.args);
  /** Customer messages written to the outbox, by kind. */
  messages = () => this.callsTo('notifyCustomer').map((a) => a.kind as string);
  lastSummary = (): OrderView | undefined => this.callsTo('recordOrderSummary').at(-1);

  readonly stubs: Stubs = {
    lookupCatalogItems: async ({ productIds: ids }) => this.catalog.filter((c) => ids.includes(c.productId)),
    recordOrderSummary: async () => undefined,
    // One statement in the real activity; here its parts, each logged and answered by its own stub.
    recordOrderStep: async ({ view, message }) => {
      await this.inner('notifyCustomer', message as any);
      await this.inner('recordOrderSummary', view);
    },
    // The real activity's parts, in its order, each logged and answered by this World's stub (so a
    // test that replaces holdStock or notifyCustomer takes its branch through placement too).
    placeOrder: (input) => {
      // One transaction: a part that fails takes nothing (the stock is as it was).
      const stock = new Map(this.stock);
      return this.placeInParts(input).catch((err: unknown) => {
        this.stock.clear();
        for (const [id, left] of stock) this.stock.set(id, left);
        throw err;
      });
    },
    drainBatch: async () => ({ applied: 0 }),
    holdStock: async ({ productId, quantity }) => {
      const left = this.stock.get(productId) ?? 0;
      const held = left >= quantity;
      if (held) this.stock.set(productId, left - quantity);
      const sku = this.catalog.find((c) => c.productId === productId)?.sku ?? '?';
      return { held, sku, available: held ? left - quantity : left, restockThreshold: 0, restockQuantity: 0 };
    },
    releaseStock: async () => ({ released: true }) as any,
    shipStock: async () => ({ shipped: true }) as any,
    addBackorderWait: async () => undefined,
    removeBackorderWait: async () => undefined,
    ordersWaitingFor: async () => [],
    notifyCustomer: async () => undefined,
    appendJournal: async () => undefined,
    alertOperators: async () => undefined,
    recordRestockStep: async () => undefined,
    receiveStock: async () => ({ received: true }) as any,
    sendCartReminder: async () => ({ written: true }),
    applyCatalogImportBatch: async () => ({ updated: 0, failed: [], restocked: [] }),
    authorizePayment: async (input) => this.keep(intent(`pi_${input.metadata.attempt}`, input.amountCents)),
    retrievePayment: async ({ paymentId }) => this.intents.get(paymentId)!,
    capturePayment: async ({ paymentId, amountCents }) =>
      this.keep({
        ...this.intents.get(paymentId)!,
        status: 'succeeded',
        amountCapturable: 0,
        amountReceived: amountCents,
      }),
    cancelPayment: async ({ paymentId }) => {
      const current = this.intents.get(paymentId)!;
      return current.status === 'succeeded'
        ? current
        : this.keep({ ...current, status: 'canceled', amountCapturable: 0 });
    },
    reauthorizePayment: async (input) => this.keep(intent(`pi_${input.metadata.attempt}`, input.amountCents)),
    refundPayment: async ({ paymentId, amountCents }): Promise<RefundView> => ({
      id: `re_${this.callsTo('refundPayment').length}`,
      paymentId,
      amount: amountCents,
      status: 'succeeded',
      failureReason: null,
    }),
    retrieveRefund: async ({ refundId }): Promise<RefundView> => ({
      id: refundId,
      paymentId: 'pi_1',
      amount: 0,
      status: 'succeeded',
      failureReason: null,
    }),
  };

  private async placeInParts({ state, at, cancelRequested }: Parameters<Activities['placeOrder']>[0]) {
    const items = await this.inner('lookupCatalogItems', { productIds: state.lines.map((l) => l.productId) });
    const price = priced(state, items, at);
    const holds: LineHold[] = [];
    if (price.sellable) {
      await this.inner('notifyCustomer', confirmation(price.state) as any);
      for (const line of [...price.state.lines].sort((a, b) => (a.productId < b.productId ? -1 : 1))) {
        const hold = await this.inner('holdStock', {
          orderId: state.id,
          productId: line.productId,
          quantity: line.quantity,
        });
        if (!hold.held)
          await this.inner('addBackorderWait', {
            orderId: state.id,
            productId: line.productId,
            quantity: line.quantity,
          });
        holds.push({ productId: line.productId, ...hold });
      }
    }
    const view = { ...orderView(placed(state, { items, holds }, at)), cancelRequested };
    await this.inner('recordOrderSummary', view);
    return { items, holds, wrote: { summary: true, confirmation: price.sellable } };
  }

  /** One of the stubs, called and logged as if the workflow had called it (a part of a bigger activity). */
  private inner<K extends keyof Activities>(name: K, args: Parameters<Activities[K]>[0]): ReturnType<Activities[K]> {
    this.calls.push({ name, args });
    return (this.stubs[name] as (a: unknown) => ReturnType<Activities[K]>)(args);
  }

  keep(pi: PaymentIntentView): PaymentIntentView {
    this.intents.set(pi.id, pi);
    return pi;
  }
}

/** Every activity the worker registers, each routed to the World of the workflow that called it. */
function routedActivities(worlds: Map<string, World>, fallback: World): Activities {
  const names = Object.keys(fallback.stubs) as (keyof Activities)[];
  return Object.fromEntries(
    names.map((name) => [
      name,
      async (...args: any[]) => {
        const world = worlds.get(Context.current().info.workflowExecution?.workflowId ?? '') ?? fallback;
        world.calls.push({ name, args: args[0] });
        return (world.stubs[name] as (...a: any[]) => unknown)(...args);
      },
    ]),
  ) as unknown as Activities;
}

export interface StubbedOrders {
  client: Client;
  taskQueue: string;
  /** Starts a cart over `world` with the idle timeouts given (a long reminder, unless said). */
  startCart(world: World, timeouts: { abandonAfterMs: number; idleTimeoutMs?: number }): Promise<CartHandle>;
  /** Stops the worker (it finishes what it holds) and forgets every cached workflow. */
  stopWorker(): Promise<void>;
  /** Starts a new worker on the same task queue. */
  startWorker(): Promise<void>;
  /** Starts an order over `world`: two lines of products 1 and 2 unless `input` says otherwise. */
  start(world: World, input?: Partial<OrderWorkflowInput>): Promise<OrderHandle>;
  /** The order's view from its query. */
  view(handle: OrderHandle): Promise<OrderView>;
  /** Polls the order's query until `done` holds. */
  until(handle: OrderHandle, done: (o: OrderView) => boolean, timeoutMs?: number): Promise<OrderView>;
  close(): Promise<void>;
}

/**
 * A worker with stubbed activities on a task queue of its own, and a client. `workflowBundlePath`
 * runs another bundle than the tier's (one with a test's own interceptors).
 */
export async function startStubbedOrders(options: { workflowBundlePath?: string } = {}): Promise<StubbedOrders> {
  const address = inject('temporalAddress');
  const taskQueue = `steps-${randomUUID()}`;
  const worlds = new Map<string, World>();
  const connection = await NativeConnection.connect({ address });
  const activities = routedActivities(worlds, new World());
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const startWorker = async () => {
    worker = await Worker.create({
      connection,
      taskQueue,
      workflowBundle: { codePath: options.workflowBundlePath ?? inject('workflowBundlePath') },
      activities,
      // A stopped worker's sticky queue gives its tasks back to the next worker quickly.
      stickyQueueScheduleToStartTimeout: '1s',
    });
    running = worker.run();
  };
  const stopWorker = async () => {
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await running;
    worker = undefined;
  };
  await startWorker();
  const clientConnection = await Connection.connect({ address });
  const client = new Client({ connection: clientConnection });

  const view = (handle: OrderHandle) => handle.query(getOrderQuery);
  return {
    client,
    taskQueue,
    stopWorker,
    startWorker,
    async startCart(world, { abandonAfterMs, idleTimeoutMs = 3_600_000 }) {
      const cartId = randomUUID();
      worlds.set(workflowId.cart(cartId), world);
      return client.workflow.start<typeof cartWorkflow>(WorkflowType.cart, {
        workflowId: workflowId.cart(cartId),
        taskQueue,
        args: [
          {
            cartId,
            currency: 'USD',
            customerId: null,
            email: 'ada@example.com',
            timeouts: { idleTimeoutMs, abandonAfterMs },
            repriceAfterMs: 3_600_000,
            maxUpdatesPerRun: 250,
          } satisfies CartWorkflowInput,
        ],
      });
    },
    async start(world, input = {}) {
      const orderId = randomUUID();
      worlds.set(workflowId.order(orderId), world);
      return client.workflow.start<typeof orderWorkflow>(WorkflowType.order, {
        workflowId: workflowId.order(orderId),
        taskQueue,
        args: [
          {
            orderId,
            lines: [
              { productId: productIds[0]!, quantity: 1 },
              { productId: productIds[1]!, quantity: 2 },
            ],
            email: 'ada@example.com',
            shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'London', postalCode: 'N1', country: 'GB' },
            paymentMethod: 'pm_card_visa',
            currency: 'USD',
            ...input,
            policy: { ...fastPolicy, ...input.policy },
          } satisfies OrderWorkflowInput,
        ],
      });
    },
    view,
    async until(handle, done, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      let last: OrderView | undefined;
      while (Date.now() < deadline) {
        last = await view(handle);
        if (done(last)) return last;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`the order did not get there in ${timeoutMs} ms; last seen: ${JSON.stringify(last, null, 2)}`);
    },
    async close() {
      await stopWorker();
      await clientConnection.close();
      await connection.close();
    },
  };
}
