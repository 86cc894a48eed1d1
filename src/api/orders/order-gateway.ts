import { createHash, randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateStage, type Client } from '@temporalio/client';
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
  stockArrivedSignal,
  type OrderWorkflowInput,
} from '../../contracts/order.contract.js';
import { OrderStatus } from '../../contracts/search-attributes.js';
import { WorkflowType, workflowId } from '../../contracts/temporal.js';
import { getCatalogItems } from '../../db/catalog.store.js';
import { ordersWaitingFor } from '../../db/inventory.store.js';
import { flagEndedOrder, orderFlags } from '../../db/orders.store.js';
import type { PrismaClient } from '../../db/prisma.js';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import { describeOrderAtPlacement } from '../../domain/order-description.js';
import type { OrderView, ShippingAddress } from '../../domain/order.js';
import { domainErrorOf } from '../temporal-errors.js';

export interface PlaceOrder {
  lines: { productId: string; quantity: number }[];
  email: string;
  shippingAddress: ShippingAddress;
  paymentMethod?: string;
  customerId?: string;
}

const notFound = (orderId: string) => new DomainError(ErrorCode.OrderNotFound, `no order ${orderId}`);

/**
 * The API's door to order workflows: places orders (once per Idempotency-Key), reads them through
 * their query, and sends them cancellations, payment methods, refunds and wake-up signals.
 */
export class OrderGateway {
  constructor(
    private readonly client: Client,
    private readonly prisma: PrismaClient,
    private readonly config: Config,
  ) {}

  private handle(orderId: string) {
    return this.client.workflow.getHandle(workflowId.order(orderId));
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
      throw new DomainError(ErrorCode.ValidationFailed, 'lines must name each product once');
    const items = new Map((await getCatalogItems(this.prisma, ids)).map((i) => [i.productId, i]));
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
    // USE_EXISTING: a retry whose first attempt already started the order changes nothing.
    await this.client.workflow.start(WorkflowType.order, {
      workflowId: workflowId.order(orderId),
      taskQueue: this.config.temporal.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: initialOrderSearchAttributes(request),
      staticSummary: `Order for ${request.email}`,
      staticDetails: describeOrderAtPlacement({
        ...input,
        lines: request.lines.map((l) => {
          const item = items.get(l.productId)!;
          return { sku: item.sku, name: item.name, quantity: l.quantity, unitPriceCents: item.priceCents };
        }),
      }),
    });
    return { orderId, status: existing ? await this.status(orderId) : 'placed' };
  }

  /**
   * The order's status from its search attribute, as the server holds it: unlike a query, this
   * needs no worker, so it answers even before the order's first step has run.
   */
  async status(orderId: string): Promise<string> {
    const description = await this.handle(orderId).describe();
    return (description.typedSearchAttributes.get(OrderStatus) as string | undefined) ?? 'placed';
  }

  /** The order as its workflow knows it. */
  async get(orderId: string): Promise<OrderView> {
    try {
      const [order, flags] = await Promise.all([
        this.handle(orderId).query(getOrderQuery),
        orderFlags(this.prisma, orderId),
      ]);
      const late = flags.filter((f) => !order.flags.includes(f));
      return late.length === 0 ? order : { ...order, flags: [...order.flags, ...late] };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound(orderId);
      throw err;
    }
  }

  /** Cancels until the order ships; answers once every compensation has run. */
  async cancel(orderId: string, reason: 'customer' | 'operator'): Promise<OrderView> {
    return this.update(orderId, ErrorCode.OrderNotCancellable, () =>
      this.handle(orderId).executeUpdate(cancelOrderUpdate, { args: [{ reason }] }),
    );
  }

  /** Gives a waiting order a payment method; answers with the attempt's outcome. */
  async providePayment(orderId: string, paymentMethod: string): Promise<OrderView> {
    return this.update(orderId, ErrorCode.PaymentNotExpected, () =>
      this.handle(orderId).executeUpdate(providePaymentMethodUpdate, { args: [{ paymentMethod }] }),
    );
  }

  /**
   * The shop cancels, whatever the order's state, with full compensation (refunding what was
   * captured once it shipped). Waits at most `waitMs` for the compensations: an order whose payment
   * call is still retrying finishes later, and then `done` is false.
   */
  async forceCancel(orderId: string, reason: string, waitMs = 10_000): Promise<{ order: OrderView; done: boolean }> {
    let done = true;
    const order = await this.update(orderId, ErrorCode.OrderNotCancellable, async () => {
      const update = await this.handle(orderId).startUpdate(forceCancelOrderUpdate, {
        args: [{ reason }],
        waitForStage: WorkflowUpdateStage.ACCEPTED,
      });
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), waitMs)));
      try {
        const result = await Promise.race([update.result(), late]);
        if (result) return result;
      } finally {
        clearTimeout(timer);
      }
      done = false;
      return this.get(orderId);
    });
    return { order, done };
  }

  /** Resumes a payment step that stopped for an operator (flag payment_stuck). */
  async retryPaymentStep(orderId: string): Promise<OrderView> {
    return this.update(orderId, ErrorCode.PaymentNotStuck, () =>
      this.handle(orderId).executeUpdate(retryPaymentStepUpdate),
    );
  }

  /** Refunds part of what was captured (a return), within the return window. */
  async refund(orderId: string, amountCents: number, reason: string): Promise<OrderView> {
    return this.update(orderId, ErrorCode.RefundNotAllowed, () =>
      this.handle(orderId).executeUpdate(refundOrderUpdate, { args: [{ amountCents, reason }] }),
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
      await this.handle(orderId).signal(disputeOpenedSignal, { ...dispute, eventId });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      await flagEndedOrder(this.prisma, orderId, 'disputed', {
        eventId: `PaymentDisputed:${orderId}:${dispute.disputeId}`,
        type: 'PaymentDisputed',
        aggregateId: orderId,
        payload: { orderId, ...dispute, afterCompletion: true },
        occurredAt: new Date().toISOString(),
      });
    }
  }

  /** A signal to an order that has ended (or never was) is news nobody needs: dropped. */
  private async signal(_orderId: string, send: () => Promise<void>): Promise<void> {
    try {
      await send();
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }

  /** Wakes the orders waiting for a product whose stock just went up; an ended order is skipped. */
  async wakeBackorders(productId: string): Promise<number> {
    let woken = 0;
    for (const orderId of await ordersWaitingFor(this.prisma, productId)) {
      try {
        await this.handle(orderId).signal(stockArrivedSignal, { productId });
        woken++;
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    }
    return woken;
  }

  /** Sends an update; a workflow that has ended answers `closedCode` (or, cancelling a cancelled order, the order). */
  private async update(orderId: string, closedCode: ErrorCode, call: () => Promise<OrderView>): Promise<OrderView> {
    try {
      return await call();
    } catch (err) {
      const business = domainErrorOf(err);
      if (business) throw business;
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
}
