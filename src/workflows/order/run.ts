import { log, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { CarriedOrder, OrderPolicy, OrderWorkflowInput } from '../../contracts/order.contract.js';
import { BackorderedSkus, OrderFlags, OrderStatus, OrderTotal, Skus } from '../../contracts/search-attributes.js';
import {
  createOrder,
  linesIn,
  orderView,
  type CancelReason,
  type OrderState,
  type OrderView,
} from '../../domain/order.js';
import { describeOrder } from '../../domain/order-description.js';
import { customerMessage, type JournalEvent } from '../../domain/order-journal.js';
import { briefly, payActivities, withAlertWindow, type PayActivities, type StepActivities } from './activities.js';
import { now } from './clock.js';
import { Saga } from '../../domain/saga.js';
import { step } from './steps/step.js';
import { releaseBaseline } from '../baseline.js';
import { ORDER_BASELINE_COVERS, PATCH_ORDER_BASELINE } from '../patches.js';

/**
 * One run of an order: its state (changed only through src/domain/order.ts), what its handlers
 * have asked for, and how it shows itself (the view, the Web UI, the read side, messages). The
 * steps in steps/ read and move it; handlers.ts only records requests on it and waits.
 */
export class OrderRun {
  /**
   * Whether this run takes a patch's new branch: asked here, not of `patched` itself, so that a run
   * started on the release baseline records one marker for all of them (see releaseBaseline).
   */
  readonly patched = releaseBaseline(PATCH_ORDER_BASELINE, ORDER_BASELINE_COVERS);
  readonly policy: OrderPolicy;
  readonly selfId = workflowInfo().workflowId;
  /** How long a payment step retries the provider before the order stops for an operator. */
  readonly stepTimeoutMs: number;
  readonly pay: PayActivities;
  /** How long a step retries a transient failure before the order is flagged (it goes on retrying). */
  readonly alertAfterMs: number;
  readonly withAlertWindow: StepActivities;
  /** A backordered run continues as new once its history has this many events. */
  readonly historyEventsPerRun: number;
  /** Runs of this order before this one (it continues as new during long backorder waits). */
  readonly runsBefore: number;
  state: OrderState;
  readonly saga: Saga;

  // ---- asked for by handlers; the steps look between awaits ----
  cancelRequest: CancelReason | null = null;
  /** Set by a force-cancel; after shipping it means "refund everything", before it a cancel. */
  forceCancel: { reason: string } | null = null;
  /** A payment method to try next (given at placement or by the customer since). */
  pendingMethod: string | null;
  stockNudges = 0;
  /** stockNudges when the first holds were tried: news after it may concern a line they missed. */
  stockNewsBeforeHolds = 0;
  paymentNudges = 0;
  refundNudges = 0;
  retryRequests = 0;

  // ---- where the order is ----
  cancellationDone = false;
  /** Set when capture begins: from here on the order ships and a customer can no longer cancel it. */
  shipping = false;
  /** Set once the order is closing: nothing can be cancelled any more. */
  closing = false;
  /** Set once the order is ending (compensating, refunding, closing): a step stuck now waits, not gives way. */
  ending = false;

  // ---- money in motion ----
  /** Refunds requested and not yet answered: claimed before the first await, so two cannot take the same money. */
  pendingRefundCents = 0;
  refunds = 0;
  reauthorizations: number;
  readonly refundTrackers = new Set<Promise<void>>();
  /** Products this order has asked a restock for (once each, until stock arrives). */
  readonly restocksAsked: Set<string>;
  /** Holds lapse while unpaid, and restocks wait for the payment (PATCH_UNPAID_HOLDS_LAPSE); set at placement. */
  unpaidHoldsLapse = false;
  /** Restocks the holds before payment would have asked for: asked once the order is authorized. */
  readonly deferredRestocks = new Map<string, () => Promise<void>>();
  /** Per product, holds that lapsed unpaid (see holdNumber). */
  readonly lapsedHolds: Map<string, number>;

  private readonly seenEvents: string[];
  private published = '';
  private publishedVersion = 0;

  constructor(readonly input: OrderWorkflowInput) {
    this.policy = input.policy;
    this.stepTimeoutMs = input.policy.paymentStepTimeoutMs ?? 12 * 3_600_000;
    this.pay = payActivities(this.stepTimeoutMs);
    this.alertAfterMs = input.policy.stepAlertAfterMs ?? 5 * 60_000;
    this.withAlertWindow = withAlertWindow(this.alertAfterMs);
    this.historyEventsPerRun = input.policy.historyEventsPerRun ?? 2_000;
    this.pendingMethod = input.paymentMethod ?? null;
    const { carried } = input;
    this.runsBefore = carried?.runs ?? 0;
    this.saga = new Saga(carried?.saga);
    this.reauthorizations = carried?.reauthorizations ?? 0;
    this.restocksAsked = new Set(carried?.restocksAsked);
    this.seenEvents = [...(carried?.seenEvents ?? [])];
    this.lapsedHolds = new Map(Object.entries(carried?.lapsedHolds ?? {}));
    if (carried) {
      // The order goes on where the run before stopped (waiting for stock, paid for).
      this.state = carried.state;
      this.pendingMethod = null;
      return;
    }
    // A provisional order until the catalog lookup fills in names and prices: handlers answer from
    // the first moment (a GET right after the 202, a cancel).
    const placedAt = now();
    this.state = createOrder({
      id: input.orderId,
      paymentMethod: input.paymentMethod,
      payBy: new Date(Date.parse(placedAt) + input.policy.paymentTimeoutMs).toISOString(),
      attemptsAllowed: input.policy.maxPaymentAttempts,
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
  }

  /** What the next run needs to go on as this one would have (see CarriedOrder). */
  carry(): CarriedOrder {
    return {
      state: this.state,
      saga: [...this.saga.pending],
      reauthorizations: this.reauthorizations,
      restocksAsked: [...this.restocksAsked],
      seenEvents: [...this.seenEvents],
      runs: this.runsBefore + 1,
      ...(this.lapsedHolds.size > 0 && { lapsedHolds: Object.fromEntries(this.lapsedHolds) }),
    };
  }

  view(): OrderView {
    const cancelRequested = this.cancellationDone ? null : this.cancelRequest;
    return { ...orderView(this.state), cancelRequested };
  }

  /** A payment step waits for an operator (flag payment_stuck). */
  get paymentStuck(): boolean {
    return this.state.stuck?.flag === 'payment_stuck';
  }

  /**
   * The last side effect of every step: the Web UI's details and search attributes, then the
   * summary in Postgres. Once the summary has caught up with the workflow's version, everything
   * that step does (messages, journal) is done too. A `lastWord` (the order has just stopped at a
   * step) writes the summary briefly and never waits on it: the database may be what is away.
   */
  async publish({ lastWord = false }: { lastWord?: boolean } = {}): Promise<void> {
    if (!this.show()) return;
    const v = this.view();
    const summary = `Save order summary (${v.status}, v${v.version})`;
    if (lastWord)
      await briefly(10_000)
        .recordOrderSummary(summary, v)
        .catch(() => undefined);
    else await step(this, 'Saving the order summary', ({ db }) => db.recordOrderSummary(summary, v));
  }

  /**
   * The Web UI's details, the log line and the search attributes for the state as it is now, once
   * per version; false when this version was shown already. A step whose own transaction wrote the
   * summary (placement) calls this instead of publish.
   */
  show(): boolean {
    if (this.state.version === this.publishedVersion) return false;
    this.publishedVersion = this.state.version;
    const v = this.view();
    setCurrentDetails(describeOrder(v));
    // Replay-safe: the SDK's workflow logger writes nothing while a history is replayed.
    log.info(`order ${v.status}: ${v.timeline.at(-1)?.message ?? ''}`, {
      status: v.status,
      version: v.version,
      ...(v.flags.length > 0 && { flags: v.flags }),
    });
    const backordered = linesIn(this.state, 'backordered').map((l) => l.sku);
    const attributes = JSON.stringify([v.status, v.totalCents, backordered, v.flags]);
    if (attributes !== this.published) {
      upsertSearchAttributes([
        { key: OrderStatus, value: v.status },
        { key: OrderTotal, value: v.totalCents / 100 },
        { key: Skus, value: v.lines.map((l) => l.sku) },
        { key: BackorderedSkus, value: backordered },
        { key: OrderFlags, value: v.flags },
      ]);
      this.published = attributes;
    }
    return true;
  }

  /**
   * Publishes the order as it is and tells the customer, in one activity (one statement): for a
   * step that does both before it waits (the warehouse picking).
   */
  async publishTelling(kind: string, message: string): Promise<void> {
    this.show();
    const v = this.view();
    const outgoing = customerMessage(this.state, kind, message, {}, kind);
    await step(this, `Saving the order summary, telling the customer: ${kind}`, ({ db }) =>
      db.recordOrderStep(`Save order summary (${v.status}, v${v.version}), tell the customer: ${kind}`, {
        view: v,
        message: outgoing,
      }),
    );
  }

  /** Tells the customer, once per `key` (see customerMessage). */
  notify(kind: string, message: string, extra: Record<string, unknown> = {}, key = kind): Promise<void> {
    const outgoing = customerMessage(this.state, kind, message, extra, key);
    return step(this, `Telling the customer: ${kind}`, ({ db }) =>
      db.notifyCustomer(`Tell the customer: ${kind}`, outgoing),
    );
  }

  /** Appends events to the journal, once each. */
  journal(summary: string, events: JournalEvent[]): Promise<void> {
    return step(this, `Journaling ${events.map((e) => e.type).join(', ')}`, ({ db }) =>
      db.appendJournal(summary, { events }),
    );
  }

  /**
   * Provider events arrive twice (webhook retries) and out of order: each is applied once, and
   * only says "look again" (the order asks the provider for the current state).
   */
  firstTime(eventId: string | undefined): boolean {
    if (!eventId) return true;
    if (this.seenEvents.includes(eventId)) return false;
    this.seenEvents.push(eventId);
    if (this.seenEvents.length > 500) this.seenEvents.shift();
    return true;
  }
}
