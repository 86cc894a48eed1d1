import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateStage,
  type Client,
  type WorkflowUpdateHandle,
} from '@temporalio/client';
import { emailSearchHash } from '../../codec/data-converter.js';
import type { Config } from '../../config.js';
import {
  cancelOrderUpdate,
  getOrderQuery,
  initialOrderSearchAttributes,
  disputeOpenedSignal,
  forceCancelOrderUpdate,
  paymentEventSignal,
  providePaymentMethodUpdate,
  refundOrderUpdate,
  refundUpdatedSignal,
  retryPaymentStepUpdate,
  retryStepUpdate,
  stockArrivedSignal,
  type OrderWorkflowInput,
} from '../../contracts/order.contract.js';
import { OrderStatus } from '../../contracts/search-attributes.js';
import { WorkflowType, workflowId } from '../../contracts/temporal.js';
import { getCatalogItems } from '../../db/catalog.store.js';
import { ordersWaitingFor } from '../../db/inventory.store.js';
import { flagEndedOrder, orderFlags, saveOrderSummary, savedOrderView } from '../../db/orders.store.js';
import { poolOf, type PrismaClient } from '../../db/prisma.js';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import { createOrder, orderView, type OrderView, type PlacedLine, type ShippingAddress } from '../../domain/order.js';
import { describeOrderAtPlacement } from '../../domain/order-description.js';
import { paymentDisputedEvent } from '../../domain/order-journal.js';
import { isDatabaseUnavailable } from '../database-errors.js';
import { domainErrorOf, temporalTroubleOf, unavailableFor } from '../temporal-errors.js';

export interface PlaceOrder {
  lines: { productId: string; quantity: number }[];
  email: string;
  shippingAddress: ShippingAddress;
  paymentMethod?: string;
  customerId?: string;
}

const notFound = (orderId: string) => new DomainError(ErrorCode.OrderNotFound, `no order ${orderId}`);

/** The outcome of a request that waits on the order, or the order as it is when that takes longer. */
export interface Bounded {
  order: OrderView;
  /** False when the answer came before the outcome: the request is under way (HTTP 202). */
  done: boolean;
}

/**
 * The API's door to order workflows: places orders (once per Idempotency-Key), reads them through
 * their query, and sends them cancellations, payment methods, refunds and wake-up signals.
 */
export class OrderGateway {
  constructor(
    private readonly client: Client,
    readonly prisma: PrismaClient,
    private readonly config: Config,
  ) {}

  private handle(orderId: string) {
    return this.client.workflow.getHandle(workflowId.order(orderId));
  }

  /**
   * Runs Temporal calls with a deadline of ANSWER_WITHIN: a server that is away, or a worker that
   * does not answer a query or an update, never holds a client longer (the gRPC calls inside fail
   * with DEADLINE_EXCEEDED, answered as a 503).
   */
  private timely<T>(fn: () => Promise<T>): Promise<T> {
    return this.client.connection.withDeadline(Date.now() + this.config.answerWithinMs, fn);
  }

  /** The order id an Idempotency-Key stands for, per customer; the same key for a different order is refused. */
  private async orderIdFor(key: string, request: PlaceOrder): Promise<{ orderId: string; existing: boolean }> {
    const scoped = `${request.email.toLowerCase()}:${key}`;
    const requestHash = createHash('sha256').update(JSON.stringify(request)).digest('hex');
    const orderId = randomUUID();
    await this.prisma.orderRequest.createMany({ data: [{ key: scoped, requestHash, orderId }], skipDuplicates: true });
    const row = await this.prisma.orderRequest.findUniqueOrThrow({ where: { key: scoped } });
    if (row.requestHash !== requestHash) {
      throw new DomainError(
        ErrorCode.IdempotencyKeyReused,
        `Idempotency-Key ${key} was already used for a different order`,
      );
    }
    return { orderId: row.orderId, existing: row.orderId !== orderId };
  }

  /** Places an order from explicit lines; nothing starts unless every product exists. */
  async place(request: PlaceOrder, idempotencyKey?: string): Promise<{ orderId: string; status: string }> {
    const ids = request.lines.map((l) => l.productId);
    if (new Set(ids).size !== ids.length)
      throw new DomainError(
        ErrorCode.DuplicateLines,
        'lines must name each product once: give one line its total quantity',
      );
    const items = new Map((await getCatalogItems(poolOf(this.prisma), ids)).map((i) => [i.productId, i]));
    const missing = ids.filter((id) => !items.has(id));
    if (missing.length > 0)
      throw new DomainError(ErrorCode.ProductNotFound, `no product with id ${missing.join(', ')}`, { missing });

    const { orderId, existing } = idempotencyKey
      ? await this.orderIdFor(idempotencyKey, request)
      : { orderId: randomUUID(), existing: false };
    const input: OrderWorkflowInput = {
      orderId,
      lines: request.lines,
      email: request.email,
      customerId: request.customerId ?? null,
      cartId: null,
      shippingAddress: request.shippingAddress,
      paymentMethod: request.paymentMethod ?? null,
      currency: this.config.currency,
      policy: this.config.order,
    };
    if (existing) {
      // The key's order ran already (its workflow wrote a summary after the API's first one): never
      // start it again, even once Temporal has removed its closed workflow (retention), which would
      // free the id for a second order and a second charge.
      const saved = await savedOrderView(this.prisma, orderId);
      if (saved && saved.version > 1) return { orderId, status: await this.status(orderId) };
    }
    const lines: PlacedLine[] = request.lines.map((l) => {
      const { sku, name, vendorId, priceCents } = items.get(l.productId)!;
      return { productId: l.productId, sku, name, vendorId, quantity: l.quantity, unitPriceCents: priceCents };
    });
    try {
      await this.start(input, lines);
    } catch (err) {
      // The key's order has closed (REJECT_DUPLICATE will not start it again): it is still that order.
      if (!(existing && err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    return { orderId, status: existing ? await this.status(orderId) : 'placed' };
  }

  /** Starts an order's workflow and puts the order in the read side before anyone is told it exists. */
  private async start(input: OrderWorkflowInput, lines: PlacedLine[]): Promise<void> {
    // USE_EXISTING: a retry whose first attempt already started the order changes nothing.
    await this.timely(() =>
      this.client.workflow.start(WorkflowType.order, {
        workflowId: workflowId.order(input.orderId),
        taskQueue: this.config.temporal.taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: initialOrderSearchAttributes({
          emailHash: emailSearchHash(this.config.security.emailHashSecret, input.email),
          customerId: input.customerId,
        }),
        staticSummary: `Order for ${input.email}`,
        staticDetails: describeOrderAtPlacement({ ...input, lines }),
      }),
    );
    try {
      await this.recordAccepted(input, lines);
    } catch (err) {
      // The order is accepted (its workflow runs); it reaches the read side with its first step.
      if (!isDatabaseUnavailable(err)) throw err;
    }
  }

  /**
   * Every order is in the read side from the moment it is accepted (listed, and readable should
   * its workflow be slow to answer): a first summary, version 1, which the workflow's own
   * summaries (later versions) replace.
   */
  async recordAccepted(input: OrderWorkflowInput, lines: PlacedLine[]): Promise<void> {
    const placedAt = new Date().toISOString();
    const state = createOrder({
      id: input.orderId,
      currency: input.currency,
      email: input.email,
      customerId: input.customerId,
      cartId: input.cartId,
      shippingAddress: input.shippingAddress,
      paymentMethod: input.paymentMethod,
      lines,
      payBy: new Date(Date.parse(placedAt) + input.policy.paymentTimeoutMs).toISOString(),
      attemptsAllowed: input.policy.maxPaymentAttempts,
      now: placedAt,
    });
    await saveOrderSummary(this.prisma, orderView(state));
  }

  /**
   * The order's status from its search attribute, as the server holds it: unlike a query, this
   * needs no worker, so it answers even before the order's first step has run.
   */
  async status(orderId: string): Promise<string> {
    try {
      const description = await this.timely(() => this.handle(orderId).describe());
      return (description.typedSearchAttributes.get(OrderStatus) as string | undefined) ?? 'placed';
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError) && !temporalTroubleOf(err)) throw err;
      return (await savedOrderView(this.prisma, orderId))?.status ?? 'placed';
    }
  }

  /**
   * The order as its workflow knows it; once the workflow is gone (a closed order past Temporal's
   * retention), as the read side last saw it.
   */
  async get(orderId: string): Promise<OrderView> {
    return (await this.read(orderId)).order;
  }

  /**
   * The order, and where it came from: its workflow (live), or the read side, when the workflow is
   * gone (retention) or cannot answer within ANSWER_WITHIN (Temporal or its workers away): then
   * the view its last step saved, which trails the workflow by a step at most.
   */
  async read(orderId: string): Promise<{ order: OrderView; source: 'workflow' | 'read_side' }> {
    try {
      const [order, flags] = await Promise.all([
        this.timely(() => this.handle(orderId).query(getOrderQuery)),
        orderFlags(this.prisma, orderId),
      ]);
      const late = flags.filter((f) => !order.flags.includes(f));
      return { order: late.length === 0 ? order : { ...order, flags: [...order.flags, ...late] }, source: 'workflow' };
    } catch (err) {
      const trouble = temporalTroubleOf(err);
      if (!(err instanceof WorkflowNotFoundError) && trouble !== 'unreachable' && trouble !== 'no_answer') throw err;
      const saved = await savedOrderView(this.prisma, orderId);
      if (saved) return { order: saved, source: 'read_side' };
      if (err instanceof WorkflowNotFoundError) throw notFound(orderId);
      throw unavailableFor(err, `order ${orderId}`, 'read', this.config.answerWithinMs)!;
    }
  }

  /**
   * Cancels until the order ships. Answers once every compensation has run, or after ANSWER_WITHIN
   * with the order as it is (done: false): the cancellation under way, and what it waits on.
   */
  async cancel(orderId: string, reason: 'customer' | 'operator'): Promise<Bounded> {
    return this.bounded(orderId, ErrorCode.OrderNotCancellable, () =>
      this.handle(orderId).startUpdate(cancelOrderUpdate, {
        args: [{ reason }],
        waitForStage: WorkflowUpdateStage.ACCEPTED,
      }),
    );
  }

  /** Gives a waiting order a payment method; answers with the attempt's outcome. */
  async providePayment(orderId: string, paymentMethod: string): Promise<OrderView> {
    return this.update(orderId, ErrorCode.PaymentNotExpected, () =>
      this.timely(() => this.handle(orderId).executeUpdate(providePaymentMethodUpdate, { args: [{ paymentMethod }] })),
    );
  }

  /**
   * The shop cancels, whatever the order's state, with full compensation (refunding what was
   * captured once it shipped). Answers within ANSWER_WITHIN, like cancel.
   */
  async forceCancel(orderId: string, reason: string): Promise<Bounded> {
    return this.bounded(orderId, ErrorCode.OrderNotCancellable, () =>
      this.handle(orderId).startUpdate(forceCancelOrderUpdate, {
        args: [{ reason }],
        waitForStage: WorkflowUpdateStage.ACCEPTED,
      }),
    );
  }

  /**
   * Sends an update that may take long (compensations that wait on a provider or an operator) and
   * answers within ANSWER_WITHIN: its outcome, or the order as it is now (done: false). An update
   * the worker has not even taken up by then is a 503 to retry: the same request is idempotent.
   */
  private async bounded(
    orderId: string,
    closedCode: ErrorCode,
    send: () => Promise<WorkflowUpdateHandle<OrderView>>,
  ): Promise<Bounded> {
    const deadline = Date.now() + this.config.answerWithinMs;
    const left = () => Math.max(0, deadline - Date.now());
    let done = true;
    const order = await this.update(orderId, closedCode, async () => {
      const accepted = this.timely(send);
      const update = await within(accepted, left());
      if (!update) {
        accepted.then((u) => u.result()).catch(() => undefined); // settles later, or never: nobody waits
        throw new DomainError(
          ErrorCode.ServiceUnavailable,
          `the order did not take the request within ${this.config.answerWithinMs} ms (its worker may be busy or away); retry the same request`,
        );
      }
      const result = update.result();
      const outcome = await within(result, left());
      if (outcome) return outcome;
      result.catch(() => undefined); // it ends later: GET /api/orders/:id follows it
      done = false;
      // The order as it is now; if even that is slow, as the read side last saw it.
      const now = this.get(orderId);
      now.catch(() => undefined);
      return (await within(now, Math.max(left(), 1_000))) ?? (await savedOrderView(this.prisma, orderId)) ?? now;
    });
    return { order, done };
  }

  /** Resumes a payment step that stopped for an operator (flag payment_stuck). */
  async retryPaymentStep(orderId: string): Promise<OrderView> {
    return this.update(orderId, ErrorCode.PaymentNotStuck, () =>
      this.timely(() => this.handle(orderId).executeUpdate(retryPaymentStepUpdate)),
    );
  }

  /** Resumes whatever step the order stopped at for an operator (payment_stuck, step_failed, compensation_stuck). */
  async retryStep(orderId: string): Promise<OrderView> {
    return this.update(orderId, ErrorCode.NothingToRetry, () =>
      this.timely(() => this.handle(orderId).executeUpdate(retryStepUpdate)),
    );
  }

  /** Refunds part of what was captured (a return), within the return window. */
  async refund(orderId: string, amountCents: number, reason: string): Promise<OrderView> {
    return this.update(orderId, ErrorCode.RefundNotAllowed, () =>
      this.timely(() => this.handle(orderId).executeUpdate(refundOrderUpdate, { args: [{ amountCents, reason }] })),
    );
  }

  /** Tells an order its provider has news about a PaymentIntent (webhooks, the simulated 3-D Secure page). */
  async paymentEvent(orderId: string, paymentId: string, type: string, eventId?: string): Promise<void> {
    await this.signal(orderId, () => this.handle(orderId).signal(paymentEventSignal, { paymentId, type, eventId }));
  }

  /** Tells an order one of its refunds changed (it looks the refund up). */
  async refundUpdated(orderId: string, refundId: string, eventId: string): Promise<void> {
    await this.signal(orderId, () => this.handle(orderId).signal(refundUpdatedSignal, { refundId, eventId }));
  }

  /**
   * Flags an order whose payment is disputed. Disputes come weeks after delivery, when the order's
   * workflow has usually ended: then the flag and a journal event go to its summary instead.
   */
  async disputeOpened(
    orderId: string,
    dispute: { disputeId: string; reason: string; amountCents: number },
    eventId: string,
  ): Promise<void> {
    try {
      await this.timely(() => this.handle(orderId).signal(disputeOpenedSignal, { ...dispute, eventId }));
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      await flagEndedOrder(
        this.prisma,
        orderId,
        'disputed',
        paymentDisputedEvent(orderId, dispute, true, new Date().toISOString()),
      );
    }
  }

  /** A signal to an order that has ended (or never was) is news nobody needs: dropped. */
  private async signal(_orderId: string, send: () => Promise<void>): Promise<void> {
    try {
      await this.timely(send);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }

  /** Wakes the orders waiting for a product whose stock just went up; an ended order is skipped. */
  async wakeBackorders(productId: string): Promise<number> {
    let woken = 0;
    for (const orderId of await ordersWaitingFor(this.prisma, productId)) {
      try {
        await this.timely(() => this.handle(orderId).signal(stockArrivedSignal, { productId }));
        woken++;
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    }
    return woken;
  }

  /**
   * Sends an update; a workflow that has ended answers `closedCode` (or, cancelling a cancelled
   * order, the order). An order accepted by a checkout whose workflow the server has not started yet
   * (a moment after the 202) is waited for, then sent the update.
   */
  private async update(
    orderId: string,
    closedCode: ErrorCode,
    call: () => Promise<OrderView>,
    waited = false,
  ): Promise<OrderView> {
    try {
      return await call();
    } catch (err) {
      const business = domainErrorOf(err);
      if (business) throw business;
      const unavailable = unavailableFor(err, `order ${orderId}`, 'change', this.config.answerWithinMs);
      if (unavailable) throw unavailable;
      if (err instanceof WorkflowNotFoundError && !waited && (await this.startingSoon(orderId)))
        return this.update(orderId, closedCode, call, true);
      if (err instanceof WorkflowNotFoundError) {
        // Never existed (get throws order_not_found), or its workflow has ended: cancelled, or
        // delivered and past its return window.
        const order = await this.get(orderId);
        if (closedCode === ErrorCode.OrderNotCancellable && order.status === 'cancelled') return order;
        throw new DomainError(closedCode, `the order is ${order.status.replace('_', ' ')} and closed for changes`, {
          status: order.status,
        });
      }
      throw err;
    }
  }

  /**
   * Whether an order with no workflow is one just accepted whose start is under way: the read side
   * holds only the API's first summary (version 1), which the workflow's own steps replace. Then
   * waits until the server has started it (no worker needed); one not started within ANSWER_WITHIN
   * is a 503 to retry. Any other order (never accepted, or ended and gone) is not waited for.
   */
  private async startingSoon(orderId: string): Promise<boolean> {
    if ((await savedOrderView(this.prisma, orderId))?.version !== 1) return false;
    const handle = this.handle(orderId);
    const deadline = Date.now() + this.config.answerWithinMs;
    for (let pause = 2; ; pause = Math.min(2 * pause, 100)) {
      try {
        await this.timely(() => handle.describe());
        return true;
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError))
          throw unavailableFor(err, `order ${orderId}`, 'read', this.config.answerWithinMs) ?? err;
      }
      if (Date.now() + pause > deadline)
        throw new DomainError(
          ErrorCode.ServiceUnavailable,
          `order ${orderId} was accepted but has not started yet: send the same request again`,
          { dependency: 'temporal', trouble: 'not_ready' },
        );
      await sleep(pause);
    }
  }
}

/** The promise's value if it settles within `ms`, else undefined (it goes on; a rejection within is thrown). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
