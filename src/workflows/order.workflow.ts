import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  log,
  ParentClosePolicy,
  patched,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  cancelOrderUpdate,
  forceCancelOrderUpdate,
  getOrderQuery,
  paymentEventSignal,
  providePaymentMethodUpdate,
  disputeOpenedSignal,
  refundOrderUpdate,
  refundUpdatedSignal,
  retryPaymentStepUpdate,
  stockArrivedSignal,
  type OrderWorkflowInput,
} from '../contracts/order.contract.js';
import { BackorderedSkus, OrderFlags, OrderStatus, OrderTotal, Skus } from '../contracts/search-attributes.js';
import { workflowId } from '../contracts/temporal.js';
import { ErrorCode, PAYMENT_REQUEST_FAILED } from '../domain/errors.js';
import {
  amountToCapture,
  cancel,
  cancelShipped,
  createOrder,
  describeOrder,
  flag,
  isCancellable,
  linesIn,
  note,
  orderTotal,
  orderView,
  priceLines,
  recordRefund,
  refundableCents,
  setLine,
  setPayment,
  transition,
  unflag,
  type CancelReason,
  type OrderLine,
  type OrderState,
  type OrderView,
  type RefundRecord,
} from '../domain/order.js';
import { formatDuration } from '../domain/duration.js';
import { money } from '../domain/money.js';
import type { PaymentIntentView } from '../payments/provider.js';
import { summarizedActivities } from './activities.js';
import { restockWorkflow } from './restock.workflow.js';

// Postgres steps and compensations: retried until they succeed (a compensation must not give up).
const db = summarizedActivities({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const PROVIDER_RETRY = { initialInterval: '1 second', maximumInterval: '5 minutes' } as const;
// Provider calls that ask, or that look before they act (a void retrieves the PaymentIntent
// first): safe to retry for as long as it takes, so a compensation never gives up.
const settle = summarizedActivities({ startToCloseTimeout: '1 minute', retry: PROVIDER_RETRY });

/**
 * Patches: workflow changes after release that add, remove or reorder commands. Names are wire
 * names, recorded as markers in histories: never rename one. test/replay/histories/versioning/
 * keeps a history from before and from after each, and the corpus test replays both.
 */
export const PATCH_NOTIFY_PICKING = 'notify-picking';

/** An order stopped in a payment step until an operator decides: retry it, or cancel the order. */
class StoppedForCancel extends Error {}

const now = () => new Date().toISOString();
const remaining = (deadline: number) => Math.max(1, deadline - Date.now());
const failure = (type: ErrorCode, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });

function paymentRequestCode(err: unknown): string | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  if (cause instanceof ApplicationFailure && cause.type === PAYMENT_REQUEST_FAILED)
    return (cause.details?.[0] as { code?: string })?.code;
  return undefined;
}

/**
 * One customer order, from placement to delivery or cancellation: the Service Fabric shop's order
 * actor, made durable. Holds stock line by line as soon as it is placed, authorizes payment, waits
 * for backordered lines (a durable timer, woken early when stock arrives), captures what ships,
 * moves through fulfilment and tells the customer. Every step that took something has its undo on
 * a stack that a cancellation runs newest-first.
 */
export async function orderWorkflow(input: OrderWorkflowInput): Promise<OrderView> {
  const { policy } = input;
  const selfId = workflowInfo().workflowId;
  // Provider calls carry idempotency keys that the provider may forget after 24 hours (Stripe does):
  // a step's retries end well before (PAYMENT_STEP_TIMEOUT), and then the order stops for an
  // operator rather than retry with a key that may have been forgotten.
  const stepTimeoutMs = policy.paymentStepTimeoutMs ?? 12 * 3_600_000;
  const pay = summarizedActivities({
    startToCloseTimeout: '1 minute',
    scheduleToCloseTimeout: stepTimeoutMs,
    retry: PROVIDER_RETRY,
  });

  // Handlers are registered before the first await, over this provisional order: a GET (query) or a
  // cancel can arrive at once after the 202. The catalog lookup below fills in names and prices.
  const placedAt = now();
  let state: OrderState = createOrder({
    id: input.orderId,
    paymentMethod: input.paymentMethod,
    payBy: new Date(Date.parse(placedAt) + policy.paymentTimeoutMs).toISOString(),
    attemptsAllowed: policy.maxPaymentAttempts,
    currency: input.currency,
    email: input.email,
    customerId: input.customerId,
    cartId: input.cartId,
    shippingAddress: input.shippingAddress,
    lines: input.lines.map((l) => ({
      productId: l.productId,
      sku: '',
      name: '',
      vendorId: '',
      quantity: l.quantity,
      unitPriceCents: 0,
    })),
    now: placedAt,
  });

  let cancelRequest: CancelReason | null = null;
  let cancellationDone = false;
  /** Set when capture begins: from here on the order ships and a customer can no longer cancel it. */
  let shipping = false;
  let pendingMethod: string | null = input.paymentMethod ?? null;
  let stockNudges = 0;
  let paymentNudges = 0;
  let pendingRefundCents = 0;
  let refunds = 0;
  const compensations: { label: string; run: () => Promise<unknown> }[] = [];
  /** Products this order has asked a restock for (once each, until stock arrives). */
  const restocksAsked = new Set<string>();
  const view = () => orderView(state);

  // publish() is the last side effect of every step: once the summary in Postgres has caught up
  // with the workflow's version, everything that step does (messages, journal) is done too.
  let published = '';
  let publishedVersion = 0;
  async function publish(): Promise<void> {
    if (state.version === publishedVersion) return;
    publishedVersion = state.version;
    const v = view();
    setCurrentDetails(describeOrder(v));
    // Replay-safe: the SDK's workflow logger writes nothing while a history is replayed.
    log.info(`order ${v.status}: ${v.timeline.at(-1)?.message ?? ''}`, {
      status: v.status,
      version: v.version,
      ...(v.flags.length > 0 && { flags: v.flags }),
    });
    const attributes = JSON.stringify([
      v.status,
      v.totalCents,
      linesIn(state, 'backordered').map((l) => l.sku),
      v.flags,
    ]);
    if (attributes !== published) {
      upsertSearchAttributes([
        { key: OrderStatus, value: v.status },
        { key: OrderTotal, value: v.totalCents / 100 },
        { key: Skus, value: v.lines.map((l) => l.sku) },
        { key: BackorderedSkus, value: linesIn(state, 'backordered').map((l) => l.sku) },
        { key: OrderFlags, value: v.flags },
      ]);
      published = attributes;
    }
    await db.recordOrderSummary(`Save order summary (${v.status}, v${v.version})`, v);
  }

  const notify = (kind: string, message: string, extra: Record<string, unknown> = {}, key = kind) =>
    db.notifyCustomer(`Tell the customer: ${kind}`, {
      dedupeKey: `${key}:${state.id}`,
      kind,
      subjectId: state.id,
      recipient: state.email,
      payload: JSON.parse(
        JSON.stringify({
          orderId: state.id,
          status: state.status,
          message,
          totalCents: orderTotal(state),
          currency: state.currency,
          ...extra,
        }),
      ),
    });

  // Provider events arrive twice (webhook retries) and out of order: each is applied once, and only
  // says "look again" (the order asks the provider for the current state).
  const seenEvents: string[] = [];
  function firstTime(eventId: string | undefined): boolean {
    if (!eventId) return true;
    if (seenEvents.includes(eventId)) return false;
    seenEvents.push(eventId);
    if (seenEvents.length > 500) seenEvents.shift();
    return true;
  }

  // ---- messages ----
  setHandler(getOrderQuery, view);
  setHandler(stockArrivedSignal, ({ productId }) => {
    stockNudges++;
    restocksAsked.delete(productId); // if stock is still short after this, another restock may be asked for
  });
  // Counted whatever the payment id: a webhook may beat the authorize call's own answer, and a
  // needless wake-up only costs one retrieve.
  setHandler(paymentEventSignal, ({ eventId }) => {
    if (firstTime(eventId)) paymentNudges++;
  });
  setHandler(
    cancelOrderUpdate,
    async ({ reason }): Promise<OrderView> => {
      if (cancellationDone) return view(); // cancelling twice answers the same
      cancelRequest ??= reason ?? 'customer';
      // Answer once everything is done: compensations, journal, the customer told, the summary written.
      await condition(() => cancellationDone || shipping);
      if (!cancellationDone)
        throw failure(ErrorCode.OrderNotCancellable, 'the order began shipping before it could be cancelled');
      return view();
    },
    {
      // The parameter is named so TypeScript infers the update's argument types from `def`.
      validator: (_args) => {
        // A cancellation already under way (or done) is joined, not refused.
        if (!cancellationDone && cancelRequest === null && (shipping || !isCancellable(state.status))) {
          throw failure(
            ErrorCode.OrderNotCancellable,
            `the order is ${state.status.replace('_', ' ')}; it can no longer be cancelled`,
          );
        }
      },
    },
  );
  setHandler(
    providePaymentMethodUpdate,
    async ({ paymentMethod }): Promise<OrderView> => {
      pendingMethod = paymentMethod;
      const attempts = state.payment.attempts;
      // Answer with the outcome of this method: authorized, declined, or 3-D Secure to do.
      await condition(
        () =>
          (state.payment.attempts > attempts && state.payment.step !== 'authorizing') || state.status === 'cancelled',
      );
      return view();
    },
    {
      validator: (_args) => {
        const waiting = state.status === 'placed' || state.status === 'awaiting_payment';
        if (
          !waiting ||
          pendingMethod !== null ||
          state.payment.step === 'authorizing' ||
          state.payment.step === 'authorized'
        ) {
          throw failure(
            ErrorCode.PaymentNotExpected,
            `the order is ${state.status.replace('_', ' ')} and not waiting for a payment method`,
          );
        }
      },
    },
  );
  // ---- refunds: requested by an operator, followed until the provider settles them ----
  const refundTrackers = new Set<Promise<void>>();
  let refundNudges = 0;

  /** Applies a refund's state; a success is journaled and told once, a failure is flagged. */
  async function settleRefund(refund: RefundRecord): Promise<void> {
    state = recordRefund(state, refund, now());
    if (refund.status === 'succeeded') {
      await db.appendJournal(`Journal Refunded ${money(refund.amountCents, state.currency)}`, {
        events: [
          {
            eventId: `Refunded:${state.id}:${refund.id}`,
            type: 'Refunded',
            aggregateId: state.id,
            payload: {
              orderId: state.id,
              refundId: refund.id,
              amountCents: refund.amountCents,
              currency: state.currency,
              reason: refund.reason,
            },
            occurredAt: now(),
          },
        ],
      });
      await notify(
        'refund_issued',
        `We refunded ${money(refund.amountCents, state.currency)}.`,
        { amountCents: refund.amountCents },
        `refund_issued:${refund.id}`,
      );
    }
    await publish();
  }

  /** A pending refund is never assumed done: it is looked up on news and on a timer until it ends. */
  function followRefund(refund: RefundRecord): void {
    const tracker = (async () => {
      let current = refund;
      while (current.status === 'pending') {
        const seen = refundNudges;
        await condition(() => refundNudges !== seen, policy.refundCheckIntervalMs, {
          summary: `Look at refund ${refund.id} again (or on the provider's webhook)`,
        });
        const latest = await settle.retrieveRefund(`Look up refund ${refund.id}`, { refundId: refund.id });
        if (latest.status !== current.status) {
          current = { ...current, status: latest.status, failureReason: latest.failureReason };
          await settleRefund(current);
        }
      }
    })();
    refundTrackers.add(tracker);
    void tracker.finally(() => refundTrackers.delete(tracker));
  }

  /** Refunds part of what was captured; a pending refund is followed to its end. */
  async function issueRefund(amountCents: number, reason: string): Promise<void> {
    // Claimed before the first await, so two refunds cannot both take the same money.
    pendingRefundCents += amountCents;
    const n = ++refunds;
    try {
      const refund = await pay.refundPayment(`Refund ${money(amountCents, state.currency)}: ${reason}`, {
        paymentId: state.payment.paymentId!,
        amountCents,
        idempotencyKey: `${selfId}:refund:${n}`,
      });
      const record: RefundRecord = {
        id: refund.id,
        amountCents,
        status: refund.status,
        reason,
        failureReason: refund.failureReason,
        at: now(),
      };
      await settleRefund(record);
      if (record.status === 'pending') followRefund(record);
    } finally {
      pendingRefundCents -= amountCents;
    }
  }

  setHandler(
    refundOrderUpdate,
    async ({ amountCents, reason }): Promise<OrderView> => {
      await issueRefund(amountCents, reason);
      return view();
    },
    {
      validator: ({ amountCents }) => {
        const refundable = refundableCents(state) - pendingRefundCents;
        if (
          state.payment.step !== 'captured' ||
          !Number.isInteger(amountCents) ||
          amountCents < 1 ||
          amountCents > refundable
        ) {
          throw failure(
            ErrorCode.RefundNotAllowed,
            `at most ${money(Math.max(0, refundable), state.currency)} can be refunded now`,
          );
        }
      },
    },
  );
  setHandler(refundUpdatedSignal, ({ eventId }) => {
    if (!firstTime(eventId)) return;
    refundNudges++;
  });
  setHandler(disputeOpenedSignal, async ({ disputeId, reason, amountCents, eventId }) => {
    if (!firstTime(eventId)) return;
    state = flag(
      note(
        state,
        now(),
        'dispute_opened',
        `Dispute ${disputeId} opened (${reason}) for ${money(amountCents, state.currency)}: needs an operator`,
      ),
      'disputed',
    );
    await db.appendJournal(`Journal PaymentDisputed ${disputeId}`, {
      events: [
        {
          eventId: `PaymentDisputed:${state.id}:${disputeId}`,
          type: 'PaymentDisputed',
          aggregateId: state.id,
          payload: { orderId: state.id, disputeId, reason, amountCents, afterCompletion: false },
          occurredAt: now(),
        },
      ],
    });
    await publish();
  });

  // ---- operators: force-cancel, and payment steps that stopped ----
  /** Set by a force-cancel; after shipping it means "refund everything", before it a cancel. */
  let forceCancel: { reason: string } | null = null;
  /** Set once the order is closing: nothing can be cancelled any more. */
  let closing = false;
  setHandler(
    forceCancelOrderUpdate,
    async ({ reason }): Promise<OrderView> => {
      if (!cancellationDone) {
        forceCancel ??= { reason };
        cancelRequest ??= 'operator';
        await condition(() => cancellationDone);
      }
      return view();
    },
    {
      validator: ({ reason }) => {
        if (typeof reason !== 'string' || reason.trim().length === 0)
          throw failure(ErrorCode.ValidationFailed, 'a force-cancel needs a reason');
        if (closing && !cancellationDone)
          throw failure(ErrorCode.OrderNotCancellable, 'the order is closing; it can no longer be cancelled');
      },
    },
  );

  // A payment step retries the provider for PAYMENT_STEP_TIMEOUT. If it still fails (the provider
  // down for hours, a revoked API key) the order stops there, flagged payment_stuck, until an
  // operator retries the step or cancels the order. It never retries on its own with a key the
  // provider may have forgotten; an operator's retry of a step that creates a PaymentIntent looks
  // for one made by an earlier try (by its metadata) before it creates another.
  let stuckStep: string | null = null;
  let retryRequests = 0;
  setHandler(
    retryPaymentStepUpdate,
    async (): Promise<OrderView> => {
      retryRequests++;
      await condition(() => stuckStep === null);
      return view();
    },
    {
      validator: () => {
        if (stuckStep === null)
          throw failure(ErrorCode.PaymentNotStuck, 'no payment step of this order is waiting for an operator');
      },
    },
  );

  /**
   * Runs a payment step; when the provider stays unreachable for the whole step window, waits for
   * an operator. A refusal (a decline, an expired authorization) is not "stuck": it is thrown to
   * the step, which knows what it means. `cancellable` steps give way to a cancellation.
   */
  async function payStep<T>(step: string, call: (retried: boolean) => Promise<T>, cancellable = true): Promise<T> {
    for (let retried = false; ; retried = true) {
      try {
        return await call(retried);
      } catch (err) {
        if (!(err instanceof ActivityFailure) || paymentRequestCode(err) !== undefined) throw err;
        stuckStep = step;
        const cause = err.cause?.message ?? err.message;
        log.warn(`payment step stopped for an operator: ${step}`, { step, cause });
        state = flag(
          note(
            state,
            now(),
            'payment_stuck',
            `${step} still failing after ${formatDuration(stepTimeoutMs)} (${cause}): waiting for an operator to retry it or cancel the order`,
          ),
          'payment_stuck',
        );
        await publish();
        const seen = retryRequests;
        await condition(() => retryRequests !== seen || (cancellable && cancelRequest !== null));
        state = unflag(state, 'payment_stuck');
        stuckStep = null;
        if (retryRequests === seen) {
          state = note(state, now(), 'payment_step_abandoned', `${step} abandoned: the order is being cancelled`);
          throw new StoppedForCancel();
        }
        state = note(state, now(), 'payment_step_retried', `An operator retried: ${step}`);
        await publish();
      }
    }
  }

  // ---- the saga's undo ----
  /** The end of every cancellation: journal, the customer told, the summary written. */
  async function closeCancelled(reason: CancelReason, message: string): Promise<OrderView> {
    await db.appendJournal(`Journal OrderCancelled (${reason})`, {
      events: [
        {
          eventId: `OrderCancelled:${state.id}`,
          type: 'OrderCancelled',
          aggregateId: state.id,
          payload: {
            orderId: state.id,
            reason,
            currency: state.currency,
            capturedCents: state.payment.capturedCents,
            refundedCents: state.payment.refundedCents,
          },
          occurredAt: now(),
        },
      ],
    });
    await notify('order_cancelled', message, { reason });
    await publish();
    cancellationDone = true;
    await condition(allHandlersFinished);
    return view();
  }

  async function compensateAndCancel(reason: CancelReason, message: string): Promise<OrderView> {
    shipping = false;
    // Newest first: the last thing taken is the first given back. Each step is retried until it works.
    for (const step of compensations.reverse()) await step.run();
    compensations.length = 0;
    state = cancel(state, reason, now(), message);
    return closeCancelled(reason, message);
  }
  const cancelledBy = (reason: CancelReason) =>
    compensateAndCancel(
      reason,
      reason === 'operator'
        ? `Cancelled by the shop${forceCancel ? ` (${forceCancel.reason})` : ''}.`
        : 'Cancelled at the customer’s request.',
    );

  /** A force-cancel after shipping: everything captured and not yet refunded is refunded. */
  async function cancelAfterShipping(): Promise<OrderView> {
    await condition(() => pendingRefundCents === 0); // refunds under way finish first
    const left = refundableCents(state);
    if (left > 0) await issueRefund(left, `order cancelled by the shop: ${forceCancel!.reason}`);
    while (refundTrackers.size > 0) await Promise.all(refundTrackers);
    const message = `Cancelled by the shop after shipping (${forceCancel!.reason}); ${money(state.payment.refundedCents, state.currency)} refunded.`;
    state = cancelShipped(state, now(), message);
    return closeCancelled('operator', message);
  }

  // ---- stock ----
  async function maybeRestock(
    line: OrderLine,
    hold: { available: number; restockThreshold: number; restockQuantity: number; sku: string },
  ) {
    if (hold.restockThreshold <= 0 || hold.restockQuantity <= 0 || hold.available >= hold.restockThreshold) return;
    if (restocksAsked.has(line.productId)) return;
    restocksAsked.add(line.productId);
    try {
      // One restock per SKU at a time: the child's id is the guard. It outlives this order.
      await startChild(restockWorkflow, {
        workflowId: workflowId.restock(hold.sku),
        args: [
          {
            productId: line.productId,
            sku: hold.sku,
            quantity: hold.restockQuantity,
            requestedBy: state.id,
            stepMs: policy.restockStepMs,
          },
        ],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        staticSummary: `Restock ${hold.restockQuantity} × ${hold.sku}`,
        staticDetails: [
          `**Product** ${line.name.replaceAll('|', '/')} (\`${hold.sku}\`)`,
          `**Quantity** ${hold.restockQuantity}, asked for by order \`${state.id}\` when only ${hold.available} stayed available (threshold ${hold.restockThreshold})`,
          `**Steps** requested → ordered → in transit → received, ${formatDuration(policy.restockStepMs)} each`,
        ].join('\n'),
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }

  async function tryHold(line: OrderLine): Promise<void> {
    const hold = await db.holdStock(`Hold ${line.quantity} × ${line.sku}`, {
      orderId: state.id,
      productId: line.productId,
      quantity: line.quantity,
    });
    if (hold.held) {
      const wasWaiting = line.status === 'backordered';
      state = setLine(state, line.productId, 'held', now());
      compensations.push({
        label: `release ${line.sku}`,
        run: () =>
          db.releaseStock(`Release ${line.quantity} × ${line.sku}`, { orderId: state.id, productId: line.productId }),
      });
      if (wasWaiting) {
        await db.removeBackorderWait(`Stop waiting for ${line.sku}: held`, {
          orderId: state.id,
          productId: line.productId,
        });
      }
    } else if (line.status === 'pending') {
      state = setLine(state, line.productId, 'backordered', now());
      await db.addBackorderWait(`Wait for ${line.quantity} × ${line.sku} (backordered)`, {
        orderId: state.id,
        productId: line.productId,
        quantity: line.quantity,
      });
      compensations.push({
        label: `stop waiting for ${line.sku}`,
        run: () =>
          db.removeBackorderWait(`Stop waiting for ${line.sku}`, { orderId: state.id, productId: line.productId }),
      });
    }
    await maybeRestock(line, hold);
  }

  // A payment step that stopped for an operator gives way to a cancellation by unwinding to here.
  try {
    return await runOrder();
  } catch (err) {
    if (!(err instanceof StoppedForCancel)) throw err;
    return cancelledBy(cancelRequest ?? 'operator');
  }

  /** The order's life, step by step. */
  async function runOrder(): Promise<OrderView> {
    // ---- 1. placed: price from the catalog, record, confirm, hold stock at once ----
    const items = await db.lookupCatalogItems(`Price ${input.lines.length} line(s) from the catalog`, {
      productIds: input.lines.map((l) => l.productId),
    });
    state = priceLines(state, items, now());
    if (state.lines.length === 0) {
      state = cancel(state, 'unavailable', now(), 'None of the products is sold any more.');
      await publish();
      return view();
    }
    await notify('order_confirmed', 'We received your order.');
    await publish();
    for (const line of state.lines) {
      if (cancelRequest) break;
      await tryHold(line);
    }

    // ---- 2. payment: authorize (hold) the whole order ----
    state = transition(
      state,
      'awaiting_payment',
      now(),
      pendingMethod ? 'Authorizing payment' : 'Waiting for a payment method',
    );
    await publish();
    const paymentDeadline = Date.parse(state.placedAt) + policy.paymentTimeoutMs;

    /** Applies the provider's answer; returns true once authorized. */
    async function applyIntent(intent: PaymentIntentView): Promise<boolean> {
      if (intent.status === 'requires_capture') {
        state = setPayment(
          state,
          {
            step: 'authorized',
            paymentId: intent.id,
            authorizedCents: intent.amountCapturable,
            captureBefore: intent.captureBefore,
            nextAction: null,
            lastError: null,
          },
          now(),
          'payment_authorized',
          `Payment authorized: ${(intent.amountCapturable / 100).toFixed(2)} ${state.currency} held`,
        );
        return true;
      }
      if (intent.status === 'requires_action') {
        state = setPayment(
          state,
          {
            step: 'requires_action',
            paymentId: intent.id,
            nextAction: intent.nextAction && { ...intent.nextAction, clientSecret: intent.clientSecret },
          },
          now(),
          'payment_action_required',
          'The card needs the customer to authenticate (3-D Secure)',
        );
        await notify(
          'payment_action_required',
          'Please confirm your payment with your bank.',
          { url: intent.nextAction?.url ?? null },
          `payment_action_required:${state.payment.attempts}`,
        );
        return false;
      }
      const error = intent.lastError ?? {
        code: 'payment_failed',
        declineCode: null,
        message: `The payment ended as ${intent.status}`,
      };
      state = setPayment(
        state,
        { step: 'declined', paymentId: intent.id, nextAction: null, lastError: error },
        now(),
        'payment_declined',
        `Payment declined: ${error.message}`,
      );
      return false;
    }

    const voidCurrentIntent = async () => {
      const paymentId = state.payment.paymentId;
      if (!paymentId || (state.payment.step !== 'authorized' && state.payment.step !== 'requires_action')) return;
      const after = await settle.cancelPayment(`Void the payment hold ${paymentId}`, {
        paymentId,
        idempotencyKey: `${selfId}:void:${paymentId}`,
      });
      if (after.status === 'succeeded') {
        // Captured after all: a capture whose answer never came back before its step stopped. The
        // money is given back in full rather than kept for goods that will not ship.
        state = setPayment(
          state,
          { step: 'captured', capturedCents: after.amountReceived, nextAction: null },
          now(),
          'payment_captured',
          `Found captured: ${money(after.amountReceived, state.currency)} (an earlier capture's answer was lost)`,
        );
        const left = refundableCents(state) - pendingRefundCents;
        if (left > 0) await issueRefund(left, 'order cancelled before shipping');
        return;
      }
      state = setPayment(
        state,
        { step: 'voided', nextAction: null },
        now(),
        'payment_voided',
        'Payment authorization voided',
      );
    };
    compensations.push({ label: 'void payment', run: voidCurrentIntent });

    // An authorization lapses (Stripe's card holds last about 7 days): never capture after
    // captureBefore. A long backorder renews the hold REAUTHORIZE_BEFORE ahead, off-session with the
    // same payment method; if that fails the order is cancelled and the customer told (nothing was
    // charged) rather than shipped unpaid.
    let reauthorizations = 0;
    const renewAt = () =>
      state.payment.step === 'authorized' && state.payment.captureBefore
        ? Date.parse(state.payment.captureBefore) - policy.reauthorizeBeforeMs
        : Infinity;
    async function renewAuthorization(): Promise<boolean> {
      const previous = state.payment.paymentId!;
      const n = ++reauthorizations;
      let intent: PaymentIntentView | undefined;
      let refusal: string | undefined;
      try {
        intent = await payStep('Renewing the payment authorization', (retried) =>
          pay.reauthorizePayment(`Renew the authorization: ${money(orderTotal(state), state.currency)} off-session`, {
            paymentId: previous,
            amountCents: orderTotal(state),
            idempotencyKey: `${selfId}:reauthorize:${n}`,
            metadata: { orderId: state.id, workflowId: selfId, attempt: `reauthorize-${n}` },
            lookUpFirst: retried,
          }),
        );
      } catch (err) {
        refusal = paymentRequestCode(err);
        if (!refusal) throw err;
      }
      if (intent?.status === 'requires_capture') {
        await settle.cancelPayment(`Void the old hold ${previous}: renewed`, {
          paymentId: previous,
          idempotencyKey: `${selfId}:void:${previous}`,
        });
        state = setPayment(
          state,
          { paymentId: intent.id, authorizedCents: intent.amountCapturable, captureBefore: intent.captureBefore },
          now(),
          'payment_reauthorized',
          `Payment authorization renewed before it lapsed, now held until ${intent.captureBefore}`,
        );
        await publish();
        return true;
      }
      if (intent && intent.status !== 'canceled') {
        await settle.cancelPayment(`Void the renewal ${intent.id}: not usable`, {
          paymentId: intent.id,
          idempotencyKey: `${selfId}:void:${intent.id}`,
        });
      }
      const error = intent?.lastError ?? {
        code: refusal ?? 'reauthorization_failed',
        declineCode: null,
        message: 'the authorization could not be renewed',
      };
      state = setPayment(
        state,
        { lastError: error },
        now(),
        'reauthorization_failed',
        `Renewing the payment authorization failed: ${error.message}`,
      );
      return false;
    }
    const lapsedAndNotRenewed = () =>
      compensateAndCancel(
        'payment_failed',
        'Your payment authorization was about to expire and could not be renewed, so the order was cancelled; nothing was charged.',
      );

    while (state.payment.step !== 'authorized') {
      if (cancelRequest) return cancelledBy(cancelRequest);
      if (pendingMethod === null) {
        const got = await condition(
          () => pendingMethod !== null || cancelRequest !== null,
          remaining(paymentDeadline),
          {
            summary: `Wait for a payment method (until ${new Date(paymentDeadline).toISOString()})`,
          },
        );
        if (!got) return compensateAndCancel('payment_timeout', 'No payment arrived in time.');
        continue;
      }
      if (state.payment.step === 'requires_action') await voidCurrentIntent(); // a new method replaces the pending one
      const method = pendingMethod;
      pendingMethod = null;
      const attempt = state.payment.attempts + 1;
      state = setPayment(
        state,
        { step: 'authorizing', method, attempts: attempt, lastError: null, nextAction: null },
        now(),
        'payment_attempt',
        `Authorizing with ${method}`,
      );
      let authorized = false;
      // Taken before anything can race it: news arriving from here on wakes the 3-D Secure wait.
      let seenPayments = paymentNudges;
      try {
        const intent = await payStep('Authorizing the payment', (retried) =>
          pay.authorizePayment(
            `Authorize ${money(orderTotal(state), state.currency)} with ${method} (attempt ${attempt})`,
            {
              amountCents: orderTotal(state),
              currency: state.currency,
              paymentMethod: method,
              idempotencyKey: `${selfId}:authorize:${attempt}`,
              metadata: { orderId: state.id, workflowId: selfId, attempt: String(attempt) },
              description: `Order ${state.id}`,
              receiptEmail: state.email,
              // An operator's retry may come after the provider forgot the key: look, then create.
              lookUpFirst: retried,
            },
          ),
        );
        authorized = await applyIntent(intent);
      } catch (err) {
        const code = paymentRequestCode(err);
        if (!code) throw err;
        state = setPayment(
          state,
          {
            step: 'declined',
            lastError: { code, declineCode: null, message: (err as ActivityFailure).cause?.message ?? code },
          },
          now(),
          'payment_declined',
          `Payment refused: ${code}`,
        );
      }
      // 3-D Secure: wait for the customer (a webhook or the simulated page nudges us), a new method, or
      // time. Webhooks can be lost, so the payment is also looked at every check interval, and once
      // more at the deadline: a customer who finished at the last second is not cancelled.
      const actionDeadline = Math.min(paymentDeadline, Date.now() + policy.paymentActionTimeoutMs);
      const checkEvery = policy.paymentCheckIntervalMs ?? 60_000;
      while (!authorized && state.payment.step === 'requires_action') {
        await publish(); // the storefront reads the next action from the order
        await condition(
          () => paymentNudges !== seenPayments || pendingMethod !== null || cancelRequest !== null,
          Math.min(checkEvery, remaining(actionDeadline)),
          { summary: 'Wait for the customer’s 3-D Secure (a webhook, or look again)' },
        );
        if (cancelRequest || pendingMethod !== null) break;
        seenPayments = paymentNudges;
        const paymentId = state.payment.paymentId!;
        const current = await payStep('Checking the payment', () =>
          pay.retrievePayment(`Look up payment ${paymentId}`, { paymentId }),
        );
        authorized = await applyIntent(current);
        if (!authorized && state.payment.step === 'requires_action' && Date.now() >= actionDeadline) {
          return compensateAndCancel('payment_timeout', 'The payment was not confirmed in time.');
        }
      }
      if (state.payment.step === 'declined') {
        if (state.payment.attempts >= policy.maxPaymentAttempts)
          return compensateAndCancel('payment_failed', `The payment failed ${state.payment.attempts} times.`);
        await notify(
          'payment_declined',
          `Your payment was declined: ${state.payment.lastError?.message}. Please try another card.`,
          {},
          `payment_declined:${state.payment.attempts}`,
        );
      }
      await publish();
    }
    state = transition(state, 'authorized', now(), 'Payment authorized');
    await publish();

    // ---- 3. stock: wait for backordered lines ----
    if (linesIn(state, 'backordered').length > 0) {
      state = transition(
        state,
        'backordered',
        now(),
        `Waiting for stock: ${linesIn(state, 'backordered')
          .map((l) => l.sku)
          .join(', ')}`,
      );
      await notify(
        'order_backordered',
        'Part of your order is waiting for stock; we will ship as soon as it arrives.',
        {
          skus: linesIn(state, 'backordered').map((l) => l.sku),
        },
      );
      await publish();
      const backorderDeadline = Date.parse(state.placedAt) + policy.maxBackorderWaitMs;
      // Stock news arriving while a retry pass runs triggers another pass at once, not after the timer.
      let seenStock = stockNudges;
      while (linesIn(state, 'backordered').length > 0) {
        await publish();
        // The durable "reminder" of the older designs: retry on a timer, or at once when stock lands.
        await condition(
          () => stockNudges !== seenStock || cancelRequest !== null,
          Math.min(policy.backorderRetryIntervalMs, remaining(backorderDeadline), remaining(renewAt())),
          {
            summary: `Backorder: try ${linesIn(state, 'backordered')
              .map((l) => l.sku)
              .join(', ')} again (or when stock arrives)`,
          },
        );
        if (cancelRequest) return cancelledBy(cancelRequest);
        if (Date.now() >= renewAt() && !(await renewAuthorization())) return lapsedAndNotRenewed();
        seenStock = stockNudges;
        for (const line of linesIn(state, 'backordered')) await tryHold(line);
        if (linesIn(state, 'backordered').length === 0) break;
        if (Date.now() >= backorderDeadline) {
          const waiting = linesIn(state, 'backordered');
          for (const line of waiting) {
            state = setLine(state, line.productId, 'cancelled', now(), 'backorder_timeout');
            await db.removeBackorderWait(`Stop waiting for ${line.sku}: waited too long`, {
              orderId: state.id,
              productId: line.productId,
            });
          }
          if (linesIn(state, 'held').length === 0)
            return compensateAndCancel('backorder_timeout', 'The products did not come back in stock in time.');
          await notify(
            'order_lines_cancelled',
            `We could not get ${waiting.map((l) => l.name).join(', ')} in time; the rest of your order ships and you pay only for what ships.`,
            {
              skus: waiting.map((l) => l.sku),
            },
          );
        }
      }
    }
    state = transition(state, 'reserved', now(), 'All stock held');
    await publish();

    // ---- 4. fulfilment ----
    state = transition(state, 'picking', now(), 'Picking in the warehouse');
    // Added after release: customers asked to hear when the warehouse starts on their order. A new
    // activity is a new command, so orders already past this point in older code must not run it
    // on replay: patched() records a marker in new histories and answers false for old ones.
    // Once no order started before this change is still open (RETURN_WINDOW after its delivery),
    // this becomes deprecatePatch(PATCH_NOTIFY_PICKING), and later the plain call.
    if (patched(PATCH_NOTIFY_PICKING)) {
      await notify('order_picking', 'The warehouse is picking your order.');
    }
    await publish();
    if (await condition(() => cancelRequest !== null, policy.pickingMs, { summary: 'Picking in the warehouse' }))
      return cancelledBy(cancelRequest!);

    if (Date.now() >= renewAt() && !(await renewAuthorization())) return lapsedAndNotRenewed();

    // The point of no return: capture what ships, take it off the shelf, tell the journal.
    shipping = true;
    const amount = amountToCapture(state);
    let captured: PaymentIntentView;
    try {
      const paymentId = state.payment.paymentId!;
      captured = await payStep('Capturing the payment', () =>
        pay.capturePayment(`Capture ${money(amount, state.currency)} for what ships`, {
          paymentId,
          amountCents: amount,
          idempotencyKey: `${selfId}:capture`,
        }),
      );
    } catch (err) {
      const code = paymentRequestCode(err);
      if (!code) throw err;
      // Nothing was captured (an expired authorization, say): nothing ships, everything is given back.
      shipping = false;
      state = setPayment(
        state,
        { lastError: { code, declineCode: null, message: `capture refused: ${code}` } },
        now(),
        'capture_failed',
        `Capture refused: ${code}`,
      );
      return compensateAndCancel('payment_failed', 'The payment could not be collected, so the order was not shipped.');
    }
    state = setPayment(
      state,
      { step: 'captured', capturedCents: captured.amountReceived },
      now(),
      'payment_captured',
      `Captured ${money(captured.amountReceived, state.currency)}${captured.amountReceived < state.payment.authorizedCents ? '; the rest of the hold was released' : ''}`,
    );
    compensations.length = 0; // shipped goods are not un-held; from here only refunds undo money
    const shippedAt = now();
    const shippedLines = linesIn(state, 'held');
    for (const line of shippedLines) {
      await db.shipStock(`Ship ${line.quantity} × ${line.sku}`, { orderId: state.id, productId: line.productId });
      state = setLine(state, line.productId, 'shipped', now());
    }
    await db.appendJournal(`Journal ItemPurchased × ${shippedLines.length}`, {
      events: shippedLines.map((line) => ({
        eventId: `ItemPurchased:${state.id}:${line.productId}`,
        type: 'ItemPurchased' as const,
        aggregateId: state.id,
        payload: {
          orderId: state.id,
          productId: line.productId,
          sku: line.sku,
          name: line.name,
          vendorId: line.vendorId,
          quantity: line.quantity,
          unitPriceCents: line.unitPriceCents,
          amountCents: line.quantity * line.unitPriceCents,
          currency: state.currency,
          day: shippedAt.slice(0, 10),
        },
        occurredAt: shippedAt,
      })),
    });
    state = transition(state, 'shipped', now(), 'Shipped');
    await notify('order_shipped', 'Your order is on its way.');
    await publish();

    if (await condition(() => forceCancel !== null, policy.shippingMs, { summary: 'On its way to the customer' }))
      return cancelAfterShipping();
    state = transition(state, 'delivered', now(), 'Delivered');
    await notify('order_delivered', 'Your order was delivered.');
    await publish();

    // Open for refunds (returns) until the window closes; a refund still pending is followed to its end.
    if (
      await condition(() => forceCancel !== null, policy.returnWindowMs, { summary: 'Return window: refunds allowed' })
    )
      return cancelAfterShipping();
    await condition(() => allHandlersFinished() || forceCancel !== null);
    if (forceCancel) return cancelAfterShipping();
    closing = true;
    while (refundTrackers.size > 0) await Promise.all(refundTrackers);
    return view();
  }
}
