import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  ParentClosePolicy,
  startChild,
  uuid4,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  addItemUpdate,
  adjustQuantityUpdate,
  checkoutUpdate,
  clearCartUpdate,
  getCartQuery,
  refreshPricesUpdate,
  removeItemUpdate,
  setQuantityUpdate,
  type AddItemArgs,
  type AdjustQuantityArgs,
  type CartWorkflowInput,
  type CheckoutResult,
  type RemoveItemArgs,
  type SetQuantityArgs,
} from '../contracts/cart.contract.js';
import { initialOrderSearchAttributes, legacyOrderSearchAttributes } from '../contracts/order.contract.js';
import { CartItemCount, CartStatus } from '../contracts/search-attributes.js';
import { HEARTBEAT_TIMEOUT, workflowId } from '../contracts/temporal.js';
import {
  applyCommand,
  applyPrices,
  cartView,
  checkCommand,
  createCart,
  deadlines,
  describeCart,
  markAbandoned,
  markCheckedOut,
  markReminded,
  productsToPrice,
  reopenCart,
  type CartCommand,
  type CartState,
  type CartView,
  type Pricing,
} from '../domain/cart.js';
import { asBusinessFailure, businessFailure } from '../contracts/failures.js';
import { ErrorCode } from '../domain/errors.js';
import { checkKey, recordKey, type LedgerEntry } from '../domain/idempotency.js';
import { checkCaps } from '../domain/order-caps.js';
import { describeOrderAtPlacement } from '../domain/order-description.js';
import { orderWorkflow } from './order/order.workflow.js';
import { releaseBaseline } from './baseline.js';
import {
  CART_BASELINE_COVERS,
  PATCH_CART_BASELINE,
  PATCH_CART_CLOCK_KEEPS_TIMER,
  PATCH_CART_CLOCK_YIELDS,
  PATCH_CART_PRICED_BY_API,
  PATCH_CHECKOUT_ANSWERS_AT_START,
  PATCH_EMAIL_HASH_ATTRIBUTE,
} from './patches.js';
import { summarizedActivities } from './activities.js';

// A regular activity, not a local one: with SDK 1.24, local activities in update handlers that
// run concurrently with search-attribute upserts produced nondeterminism errors on replay under
// bursts of more than 10 updates (test/api/carts.test.ts, "keeps every one of many concurrent
// changes", reproduces it).
// Eager dispatch runs it on this worker when it has room. Few retries: a customer is waiting.
const { lookupCatalogItems } = summarizedActivities({
  startToCloseTimeout: '5 seconds',
  retry: { initialInterval: '100 milliseconds', maximumInterval: '1 second', maximumAttempts: 4 },
});

// The reminder only writes to the outbox, idempotently: retried until it succeeds.
const { sendCartReminder } = summarizedActivities({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds' },
});

const now = () => new Date().toISOString();

/**
 * One shopping cart, for as long as it lives: the nextcart idea with Temporal as the event store.
 * Its state lives in a worker's memory and is rebuilt from its history after a crash or eviction.
 * Updates change it (validators turn bad input away before it reaches history); an idle cart gets
 * one reminder per idle period and is abandoned after `abandonAfterMs`; a long-lived cart
 * continues as new, carrying its state and idempotency keys, before its history grows large.
 */
export async function cartWorkflow(input: CartWorkflowInput): Promise<CartView> {
  // Asked first, as the run starts: a run on the release baseline records one marker for every patch.
  const patched = releaseBaseline(PATCH_CART_BASELINE, CART_BASELINE_COVERS);
  let state: CartState =
    input.carried?.state ??
    createCart({
      id: input.cartId,
      currency: input.currency,
      customerId: input.customerId,
      email: input.email,
      now: now(),
    });
  let ledger: LedgerEntry[] = input.carried?.ledger ?? [];
  const inFlight = new Map<string, Promise<unknown>>();
  let mutationsInFlight = 0;
  let checkingOut = false;
  /** The start of the order a checkout answered for: true once it has started, false if it could not. */
  let orderStarting: Promise<boolean> | undefined;
  let updatesThisRun = 0;
  // The starter sets the initial search attributes; only changes are upserted (each is an event).
  let published = { status: state.status as string, items: cartView(state, input.timeouts).itemCount };

  const view = () => cartView(state, input.timeouts);
  const shouldContinueAsNew = () => updatesThisRun >= input.maxUpdatesPerRun || workflowInfo().continueAsNewSuggested;

  function publish(): void {
    const current = view();
    setCurrentDetails(describeCart(current));
    log.info(`cart ${current.status}: ${current.itemCount} item(s)`, {
      status: current.status,
      itemCount: current.itemCount,
      totalCents: current.totalCents,
    });
    if (current.status !== published.status || current.itemCount !== published.items) {
      upsertSearchAttributes([
        { key: CartStatus, value: current.status },
        { key: CartItemCount, value: current.itemCount },
      ]);
      published = { status: current.status, items: current.itemCount };
    }
  }

  async function price(productIds: string[]): Promise<Pricing> {
    try {
      const summary = `Price ${productIds.length} product(s) from the catalog`;
      return { requested: productIds, items: await lookupCatalogItems(summary, { productIds }) };
    } catch {
      throw businessFailure(
        ErrorCode.ServiceUnavailable,
        'the catalog could not be read just now; nothing was changed, try again',
      );
    }
  }

  const keyReused = (key: string) =>
    businessFailure(
      ErrorCode.IdempotencyKeyReused,
      `Idempotency-Key ${key} was already used for a different change to this cart`,
    );

  function validate(command: CartCommand, key: string | undefined, priced: Pricing | undefined): void {
    if (checkingOut) throw businessFailure(ErrorCode.CartClosed, 'this cart is being checked out');
    asBusinessFailure(() => checkCommand(state, command));
    if (key && checkKey(ledger, key, JSON.stringify(command)).kind === 'conflict') throw keyReused(key);
    // Priced by the API: the whole change is tried on the cart as it is (a product not in the
    // catalog, another currency), so what the handler would refuse never reaches history.
    if (priced && !(key && checkKey(ledger, key, JSON.stringify(command)).kind === 'replay'))
      asBusinessFailure(() => applyCommand(state, command, priced, now()));
  }

  async function mutate(command: CartCommand, key: string | undefined, priced: Pricing | undefined): Promise<CartView> {
    const fingerprint = JSON.stringify(command);
    if (key) {
      // A retry racing its original waits for it, then answers as a replay. No await may come
      // between this check and claiming the key below, or two retries could both go ahead.
      for (let pending = inFlight.get(key); pending; pending = inFlight.get(key)) await pending.catch(() => undefined);
      const check = checkKey(ledger, key, fingerprint);
      if (check.kind === 'replay') return view();
      if (check.kind === 'conflict') throw keyReused(key);
    }
    const run = (async () => {
      updatesThisRun++;
      mutationsInFlight++;
      try {
        // Priced by the API: applied in the workflow task that accepted it. A change without pricing
        // (an older API), or one a worker from before the patch took up, looks the catalog up first.
        const pricing =
          priced && patched(PATCH_CART_PRICED_BY_API) ? priced : await price(productsToPrice(state, command));
        // Applied to the state as it is now, after any await: concurrent changes are all kept.
        state = asBusinessFailure(() => applyCommand(state, command, pricing, now()));
        if (key) ledger = recordKey(ledger, { key, fingerprint, at: now() });
        publish();
      } finally {
        mutationsInFlight--;
      }
    })();
    if (key) inFlight.set(key, run);
    try {
      await run;
    } finally {
      if (key && inFlight.get(key) === run) inFlight.delete(key);
    }
    return view();
  }

  const add = (a: AddItemArgs): CartCommand => ({ type: 'add', productId: a.productId, quantity: a.quantity });
  const set = (a: SetQuantityArgs): CartCommand => ({ type: 'set', productId: a.productId, quantity: a.quantity });
  const adjust = (a: AdjustQuantityArgs): CartCommand => ({ type: 'adjust', productId: a.productId, delta: a.delta });
  const remove = (a: RemoveItemArgs): CartCommand => ({ type: 'remove', productId: a.productId });
  const clear = (): CartCommand => ({ type: 'clear' });
  setHandler(addItemUpdate, (a) => mutate(add(a), a.idempotencyKey, a.priced), {
    validator: (a) => validate(add(a), a.idempotencyKey, a.priced),
  });
  setHandler(setQuantityUpdate, (a) => mutate(set(a), a.idempotencyKey, a.priced), {
    validator: (a) => validate(set(a), a.idempotencyKey, a.priced),
  });
  setHandler(adjustQuantityUpdate, (a) => mutate(adjust(a), a.idempotencyKey, a.priced), {
    validator: (a) => validate(adjust(a), a.idempotencyKey, a.priced),
  });
  setHandler(removeItemUpdate, (a) => mutate(remove(a), a.idempotencyKey, a.priced), {
    validator: (a) => validate(remove(a), a.idempotencyKey, a.priced),
  });
  setHandler(clearCartUpdate, (a) => mutate(clear(), a.idempotencyKey, a.priced), {
    validator: (a) => validate(clear(), a.idempotencyKey, a.priced),
  });
  setHandler(
    refreshPricesUpdate,
    async () => {
      updatesThisRun++;
      const pricing = await price(productsToPrice(state));
      if (state.status === 'active') state = applyPrices(state, pricing, now());
      publish();
      return view();
    },
    { validator: () => asBusinessFailure(() => checkCommand(state, { type: 'clear' })) },
  );
  setHandler(
    checkoutUpdate,
    async (args): Promise<CheckoutResult> => {
      // A checkout racing another (a double click, a retry) gets the same order.
      // `await condition(...)` yields even when already true, so the check and the claim below must
      // have no await between them: only a checkout that finds none under way may start one.
      while (checkingOut) await condition(() => !checkingOut);
      if (state.status === 'checked_out') return { orderId: state.orderId! };
      checkingOut = true; // from here the validators turn changes away
      updatesThisRun++;
      // The API makes the id from a cryptographic source; a checkout from before it did has none.
      const orderId = args.orderId ?? uuid4();
      // Who checks out is who the order belongs to (a guest who signed in since adding is a customer now).
      const customerId = args.customerId !== undefined ? args.customerId : state.customerId;
      try {
        // Changes accepted before checkout began finish first, so the order has every one of them.
        await condition(() => mutationsInFlight === 0);
        // No re-pricing here: the order prices its lines from the catalog as it starts, and an extra
        // activity would add a round trip to every checkout (see BENCHMARKS.md). It outlives the
        // cart (ABANDON). The answer comes once its start is issued, in this workflow task (before
        // the patch: once it had started, a task later); the API waits for the order to exist
        // before its 202, so a GET or cancel right after finds it.
        const answerAtStart = patched(PATCH_CHECKOUT_ANSWERS_AT_START);
        const placement = {
          email: args.email,
          customerId,
          cartId: state.id,
          shippingAddress: args.shippingAddress,
          paymentMethod: args.paymentMethod ?? null,
          currency: state.currency,
        };
        const starting = startChild(orderWorkflow, {
          workflowId: workflowId.order(orderId),
          args: [
            {
              orderId,
              ...placement,
              lines: state.lines.map((l) => ({ productId: l.productId, quantity: l.quantity })),
              policy: args.policy,
            },
          ],
          parentClosePolicy: ParentClosePolicy.ABANDON,
          typedSearchAttributes: patched(PATCH_EMAIL_HASH_ATTRIBUTE)
            ? initialOrderSearchAttributes({ emailHash: args.emailHash, customerId })
            : legacyOrderSearchAttributes({ email: args.email, customerId }),
          staticSummary: `Order from cart ${state.id} for ${args.email}`,
          staticDetails: describeOrderAtPlacement({ ...placement, lines: state.lines }),
        });
        if (answerAtStart) {
          orderStarting = starting.then(
            () => true,
            (err) => {
              // Only an id already taken fails a start; the customer can check out again.
              log.error('the order could not be started: the cart is open again', { orderId, error: String(err) });
              state = reopenCart(state, now());
              publish();
              return false;
            },
          );
        } else await starting;
      } finally {
        checkingOut = false;
      }
      const lines = state.lines.map(({ productId, sku, name, vendorId, quantity, unitPriceCents }) => ({
        productId,
        sku,
        name,
        vendorId,
        quantity,
        unitPriceCents,
      }));
      state = markCheckedOut(state, orderId, now());
      publish();
      return { orderId, placed: { customerId, lines } };
    },
    {
      validator: (args) => {
        asBusinessFailure(() => checkCommand(state, { type: 'clear' }));
        if (state.lines.length === 0)
          throw businessFailure(ErrorCode.CartEmpty, 'the cart is empty: add something before checking out');
        // A cart past the order caps starts nothing (a refused update is not even in history).
        if (args.caps) asBusinessFailure(() => checkCaps(args.caps!, state.lines));
      },
    },
  );
  setHandler(getCartQuery, view);
  setCurrentDetails(describeCart(view()));

  // The cart's clock: wait for the next deadline, the cart closing, or the time to continue as new.
  const nextDeadline = ({ reminderAt, abandonAt }: ReturnType<typeof deadlines>) =>
    Math.min(reminderAt ? Date.parse(reminderAt) : Infinity, abandonAt ? Date.parse(abandonAt) : Infinity);
  for (;;) {
    while (state.status === 'active' && !shouldContinueAsNew()) {
      const { reminderAt, abandonAt } = deadlines(state, input.timeouts);
      const next = nextDeadline({ reminderAt, abandonAt });
      const activityMark = state.lastActivityAt;
      // A change leaves the timer alone: it moves the deadline later, and a timer firing early
      // re-arms below. Only the first change after a reminder brings a deadline sooner (the next
      // reminder). Before this patch every change woke the clock: a timer canceled and one started.
      const keepsTimer = patched(PATCH_CART_CLOCK_KEEPS_TIMER);
      const woken = await condition(
        () =>
          (keepsTimer
            ? nextDeadline(deadlines(state, input.timeouts)) < next
            : state.lastActivityAt !== activityMark) ||
          state.status !== 'active' ||
          shouldContinueAsNew(),
        Math.max(1, next - Date.now()),
        {
          summary:
            reminderAt && next === Date.parse(reminderAt) ? 'Idle: remind the customer' : 'Idle: abandon the cart',
        },
      );
      if (woken) continue;
      // The timer fired, but other things may have happened since it was armed or landed in the same
      // workflow task: a change (or one still in flight), a checkout, the order that checkout started.
      // Then the cart was not idle: its clock waits for them and starts again, from the last change.
      // (Before cart-clock-yields it abandoned a cart that had just been checked out; keeping the
      // timer implies that patch.)
      const busy = () => checkingOut || mutationsInFlight > 0;
      if (
        (state.status !== 'active' || state.lastActivityAt !== activityMark || busy()) &&
        (keepsTimer || patched(PATCH_CART_CLOCK_YIELDS))
      ) {
        await condition(() => !busy());
        continue;
      }
      if (Date.now() >= Date.parse(abandonAt!)) {
        state = markAbandoned(state, now());
        publish();
      } else if (reminderAt && Date.now() >= Date.parse(reminderAt)) {
        const current = view();
        // An empty cart has nothing to come back for: no message, but the period counts as reminded.
        if (current.itemCount > 0) {
          await sendCartReminder(`Remind the customer: ${current.itemCount} item(s) left in the cart`, {
            cartId: state.id,
            customerId: state.customerId,
            email: state.email,
            itemCount: current.itemCount,
            totalCents: current.totalCents,
            currency: current.currency,
            idleSince: activityMark,
          });
        }
        state = markReminded(state, activityMark);
      }
    }

    // Handlers still running (an update awaiting the catalog) finish in this run, not half in the next.
    await condition(allHandlersFinished);
    // Temporal starts no child of a closed parent: the cart closes once the order a checkout
    // answered for has started, and takes customers again if it could not be.
    const started = orderStarting ? await orderStarting : true;
    orderStarting = undefined;
    if (started) break;
  }
  if (state.status === 'active') {
    return continueAsNew<typeof cartWorkflow>({
      ...input,
      carried: { state, ledger, runs: (input.carried?.runs ?? 0) + 1 },
    });
  }
  return view();
}
