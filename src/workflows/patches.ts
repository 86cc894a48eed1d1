/**
 * Patches: workflow changes after release that add, remove or reorder commands. Names are wire
 * names, recorded as markers in histories: never rename one. test/replay/histories/versioning/
 * keeps a history from before and from after each, and the corpus test replays both.
 */
export const PATCH_NOTIFY_PICKING = 'notify-picking';

/**
 * An order that stops at a step (a payment step waiting for an operator, since before this patch)
 * also writes an alert for the operators to the outbox.
 */
export const PATCH_OPERATOR_ALERTS = 'operator-alerts';

/**
 * A cart's idle clock acts only on a cart still idle: when its timer fires in the same workflow
 * task as a change, a checkout or the order a checkout started, those win (the cart was not idle).
 */
export const PATCH_CART_CLOCK_YIELDS = 'cart-clock-yields';

/**
 * Stock that arrives while an order is still saying it is backordered (the customer told, the
 * summary saved) wakes it at once, instead of after BACKORDER_RETRY_INTERVAL.
 */
export const PATCH_STOCK_NEWS_KEPT = 'stock-news-kept';

/**
 * A backordered order continues as new when its history grows long (HISTORY_EVENTS_PER_RUN),
 * carrying its state and its pending compensations, instead of growing towards Temporal's limit.
 */
export const PATCH_ORDER_CONTINUES_AS_NEW = 'order-continues-as-new';

/**
 * Stock held for an order that has no authorized payment lapses after UNPAID_HOLD_TIMEOUT (it is
 * held again once the payment is authorized), and restocks are asked for only once the order is
 * paid for: an unpaid order can neither sit on the shop's stock nor set off supplier orders.
 */
export const PATCH_UNPAID_HOLDS_LAPSE = 'unpaid-holds-lapse';

/** A catalog import continues as new when its history grows long, carrying its progress and the rows left. */
export const PATCH_IMPORT_CONTINUES_AS_NEW = 'import-continues-as-new';

/**
 * An order started by a checkout is found by a keyed hash of its e-mail (CustomerEmailHash), not the
 * address itself: search attributes are stored and shown in clear.
 */
export const PATCH_EMAIL_HASH_ATTRIBUTE = 'email-hash-attribute';

/**
 * An order is placed in one step: priced, confirmed, every line held or backordered and its summary
 * written in one transaction (the placeOrder activity), instead of an activity for each.
 */
export const PATCH_PLACE_IN_ONE_STEP = 'place-in-one-step';

/**
 * Paying writes no summary of its own where the next step writes one before anything can wait: not
 * "awaiting payment" when a payment method is there to try, and not "authorized" (the stock step
 * that follows at once writes "reserved" or "backordered"). Two fewer activities per order.
 */
export const PATCH_FEWER_PAYMENT_SUMMARIES = 'fewer-payment-summaries';

/**
 * A cart change that arrives priced by the API (`priced` in its arguments) is applied in the
 * workflow task that accepted it, with no catalog activity. Before this patch the cart looked every
 * line up through `lookupCatalogItems`, whatever the arguments carried.
 */
export const PATCH_CART_PRICED_BY_API = 'cart-priced-by-api';

/**
 * A checkout answers in the workflow task that accepted it, once the order's start is issued,
 * instead of a task later when the order has started; the cart closes only once the order has
 * started (Temporal starts no child of a closed parent) and reopens if it could not be started.
 */
export const PATCH_CHECKOUT_ANSWERS_AT_START = 'checkout-answers-at-start';

/**
 * A drain whose batch came back partial has caught up, and waits for the next nudge as an empty
 * batch does, instead of running another round at once: under load a drain ran one round per
 * event or two, as fast as round trips allowed, and its rounds outnumbered the orders' own steps.
 */
export const PATCH_DRAIN_WAITS_WHEN_CAUGHT_UP = 'drain-waits-when-caught-up';

/**
 * A long order continues as new in the task that found every handler finished: it no longer
 * writes its summary first (the new run writes it before anything else), because a cancel
 * accepted while that activity ran was lost with the old run and failed its caller.
 */
export const PATCH_ORDER_HANDS_OVER_AT_ONCE = 'order-hands-over-at-once';

/**
 * A change to a cart leaves its idle timer alone: the clock wakes for the cart closing, the time to
 * continue as new, or a deadline that came sooner (the first change after a reminder), not for
 * every change. A timer that fires after changes re-arms for the deadline counted from the last
 * one, so reminders and abandonment come when they did. Before this patch each change canceled the
 * timer and started another (two commands per change).
 */
export const PATCH_CART_CLOCK_KEEPS_TIMER = 'cart-clock-keeps-timer';

/**
 * An order goes from `reserved` to `picking` in one activity: the summary and the customer's
 * "picking" message in one statement (`recordOrderStep`), and no "reserved" summary before it
 * (picking follows at once; the milestone is in the next summary's timeline). Before it: a
 * "reserved" summary, then `notifyCustomer`, then the "picking" summary (three activities).
 */
export const PATCH_PICKING_IN_ONE_STEP = 'picking-in-one-step';

/**
 * The cart's release baseline (see releaseBaseline): a cart run started on this code records this
 * marker alone and takes every patch below.
 */
export const PATCH_CART_BASELINE = 'cart-baseline-1';
export const CART_BASELINE_COVERS: readonly string[] = [
  PATCH_CART_CLOCK_YIELDS,
  PATCH_EMAIL_HASH_ATTRIBUTE,
  PATCH_CART_PRICED_BY_API,
  PATCH_CHECKOUT_ANSWERS_AT_START,
  PATCH_CART_CLOCK_KEEPS_TIMER,
];

/**
 * The order's release baseline (see releaseBaseline): an order run started on this code records
 * this marker alone and takes every patch below.
 */
export const PATCH_ORDER_BASELINE = 'order-baseline-1';
export const ORDER_BASELINE_COVERS: readonly string[] = [
  PATCH_NOTIFY_PICKING,
  PATCH_OPERATOR_ALERTS,
  PATCH_STOCK_NEWS_KEPT,
  PATCH_ORDER_CONTINUES_AS_NEW,
  PATCH_UNPAID_HOLDS_LAPSE,
  PATCH_PLACE_IN_ONE_STEP,
  PATCH_FEWER_PAYMENT_SUMMARIES,
  PATCH_ORDER_HANDS_OVER_AT_ONCE,
  PATCH_PICKING_IN_ONE_STEP,
];
