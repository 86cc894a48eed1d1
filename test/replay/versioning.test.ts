/**
 * Versioning with patches: the order workflow's `notify-picking` step (a new activity, added after
 * release) is behind `patched()`. A history recorded before the change and one recorded after both
 * replay against today's code; the same step added without the patch breaks the old history. So
 * for the cart's `cart-priced-by-api` (a change priced by the API applied with no activity) and
 * `checkout-answers-at-start` (a checkout answered once the order's start is issued).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { readHistoryFile, type HistoryToReplay } from '../../src/replay/histories.js';
import { replayHistories, type ReplayReport } from '../../src/replay/replayer.js';
import { encryptingDataConverter } from '../../src/codec/data-converter.js';
import { parseCodecKeys } from '../../src/codec/encryption-codec.js';
import { CORPUS_PAYLOAD_KEYS } from '../../src/replay/corpus-key.js';
import {
  PATCH_CART_BASELINE,
  PATCH_CART_CLOCK_KEEPS_TIMER,
  PATCH_CART_PRICED_BY_API,
  PATCH_CHECKOUT_ANSWERS_AT_START,
  PATCH_FEWER_PAYMENT_SUMMARIES,
  PATCH_NOTIFY_PICKING,
  PATCH_EMAIL_HASH_ATTRIBUTE,
  PATCH_ORDER_BASELINE,
  PATCH_ORDER_CONTINUES_AS_NEW,
  PATCH_ORDER_HANDS_OVER_AT_ONCE,
  PATCH_PICKING_IN_ONE_STEP,
  PATCH_PLACE_IN_ONE_STEP,
} from '../../src/workflows/patches.js';

// A nondeterministic replay is expected below: the SDK's own warnings about it are noise.
Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR' } } } });

const dir = fileURLToPath(new URL('./histories/versioning/notify-picking', import.meta.url));
const workflowsPath = fileURLToPath(new URL('../../src/workflows/index.ts', import.meta.url));
const shim = fileURLToPath(new URL('./fixtures/unpatched-workflow-sdk.ts', import.meta.url));

let before: HistoryToReplay;
let after: HistoryToReplay;
beforeAll(async () => {
  [before, after] = await Promise.all([
    readHistoryFile(path.join(dir, 'before.json')),
    readHistoryFile(path.join(dir, 'after.json')),
  ]);
});

const decode = (data: Uint8Array | null | undefined) =>
  data ? JSON.parse(Buffer.from(data).toString('utf8')) : undefined;
const patchesIn = (h: HistoryToReplay) =>
  (h.history.events ?? [])
    .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
    .map((e) => decode(e.markerRecordedEventAttributes!.details!['patch-data']!.payloads![0]!.data).id);
const activitySummaries = (h: HistoryToReplay) =>
  (h.history.events ?? [])
    .filter((e) => e.activityTaskScheduledEventAttributes)
    .map((e) => decode(e.userMetadata?.summary?.data));

async function replay(
  histories: HistoryToReplay[],
  bundle: { codePath: string } | { code: string },
  dataConverter?: Parameters<typeof replayHistories>[2],
) {
  const reports: ReplayReport[] = [];
  for await (const report of replayHistories(histories, bundle, dataConverter)) reports.push(report);
  return reports;
}

/** Today's workflows, with every patch taken whatever the history says (built once, for both patches). */
let unpatched: Promise<{ code: string }> | undefined;
const unpatchedBundle = () =>
  (unpatched ??= bundleWorkflowCode({
    workflowsPath,
    webpackConfigHook: (config) => ({
      ...config,
      resolve: { ...config.resolve, alias: { ...config.resolve?.alias, '@temporalio/workflow$': shim } },
    }),
    logger: { trace() {}, debug() {}, info() {}, log() {}, warn: console.warn, error: console.error },
  }));

const corpusKey = encryptingDataConverter(parseCodecKeys(CORPUS_PAYLOAD_KEYS).keys);

/** A versioning folder's pair of histories (encrypted with the corpus key), read before its tests. */
function pairIn(folder: string) {
  const dir = fileURLToPath(new URL(`./histories/versioning/${folder}`, import.meta.url));
  const pair = {} as { before: HistoryToReplay; after: HistoryToReplay };
  beforeAll(async () => {
    [pair.before, pair.after] = await Promise.all([
      readHistoryFile(path.join(dir, 'before.json')),
      readHistoryFile(path.join(dir, 'after.json')),
    ]);
  });
  return pair;
}

describe(`the ${PATCH_NOTIFY_PICKING} patch`, () => {
  it('the history from before has no marker and no such step; the one from after has both', () => {
    expect(patchesIn(before)).toEqual([]);
    expect(activitySummaries(before)).not.toContain('Tell the customer: order_picking');
    expect(patchesIn(after)).toEqual([PATCH_NOTIFY_PICKING]);
    expect(activitySummaries(after)).toContain('Tell the customer: order_picking');
  });

  it('both replay against today’s code', async () => {
    const reports = await replay([before, after], { codePath: inject('workflowBundlePath') });
    expect(reports.map((r) => [path.basename(r.source), r.status, r.reason])).toEqual([
      ['before.json', 'ok', undefined],
      ['after.json', 'ok', undefined],
    ]);
  });

  it('without patched(), the same step breaks the orders already under way', async () => {
    const { code } = await unpatchedBundle();
    const [old, current] = await replay([before, after], { code });
    expect(old).toMatchObject({ status: 'nondeterministic', workflowId: before.workflowId });
    expect(old!.reason).toMatch(/Nondeterminism/);
    // Nor can the patch call simply be deleted later: histories recorded with it hold its marker.
    // That is what deprecatePatch() is for, once no order from before the change is still open.
    expect(current).toMatchObject({ status: 'nondeterministic', workflowId: after.workflowId });
  }, 120_000);
});

describe(`the ${PATCH_CART_PRICED_BY_API} patch`, () => {
  const cart = pairIn('cart-priced-by-api');
  const events = (h: HistoryToReplay) => h.history.events ?? [];
  const count = (h: HistoryToReplay, has: (e: ReturnType<typeof events>[number]) => unknown) =>
    events(h).filter(has).length;

  it('the history from before looks the catalog up for each change; the one from after has the marker and no activity', () => {
    expect(patchesIn(cart.before)).toEqual([]);
    expect(count(cart.before, (e) => e.activityTaskScheduledEventAttributes)).toBe(4);
    expect(patchesIn(cart.after)).toEqual([PATCH_CART_PRICED_BY_API]);
    expect(count(cart.after, (e) => e.activityTaskScheduledEventAttributes)).toBe(0);
    // The same four changes, each sent priced by the API.
    for (const h of [cart.before, cart.after])
      expect(count(h, (e) => e.workflowExecutionUpdateCompletedEventAttributes)).toBe(4);
  });

  it('both replay against today’s code', async () => {
    const reports = await replay([cart.before, cart.after], { codePath: inject('workflowBundlePath') }, corpusKey);
    expect(reports.map((r) => [path.basename(r.source), r.status, r.reason])).toEqual([
      ['before.json', 'ok', undefined],
      ['after.json', 'ok', undefined],
    ]);
  });

  it('without patched(), a change priced by the API breaks the carts a worker from before took up', async () => {
    const [old] = await replay([cart.before], await unpatchedBundle(), corpusKey);
    expect(old).toMatchObject({ status: 'nondeterministic', workflowId: cart.before.workflowId });
    expect(old!.reason).toMatch(/Nondeterminism/);
  }, 120_000);
});

describe(`the ${PATCH_CHECKOUT_ANSWERS_AT_START} patch`, () => {
  const checkout = pairIn('checkout-answers-at-start');
  /** Where the checkout's answer falls against the order's start: before it was started, or after. */
  const answered = (h: HistoryToReplay) => {
    const events = h.history.events ?? [];
    const started = events.findIndex((e) => e.childWorkflowExecutionStartedEventAttributes);
    const completed = events.findLastIndex((e) => e.workflowExecutionUpdateCompletedEventAttributes);
    return completed < started ? 'before the order started' : 'after the order started';
  };

  it('the history from before answers once the order has started; the one from after, as its start is issued', () => {
    expect(patchesIn(checkout.before)).not.toContain(PATCH_CHECKOUT_ANSWERS_AT_START);
    expect(answered(checkout.before)).toBe('after the order started');
    expect(patchesIn(checkout.after)).toContain(PATCH_CHECKOUT_ANSWERS_AT_START);
    expect(answered(checkout.after)).toBe('before the order started');
  });

  it('both replay against today’s code', async () => {
    const reports = await replay(
      [checkout.before, checkout.after],
      { codePath: inject('workflowBundlePath') },
      corpusKey,
    );
    expect(reports.map((r) => [path.basename(r.source), r.status, r.reason])).toEqual([
      ['before.json', 'ok', undefined],
      ['after.json', 'ok', undefined],
    ]);
  });

  it('without patched(), answering early breaks the checkouts already under way', async () => {
    const [old] = await replay([checkout.before], await unpatchedBundle(), corpusKey);
    expect(old).toMatchObject({ status: 'nondeterministic', workflowId: checkout.before.workflowId });
  }, 120_000);
});

describe(`the ${PATCH_PLACE_IN_ONE_STEP} and ${PATCH_FEWER_PAYMENT_SUMMARIES} patches`, () => {
  const orders = pairIn('fewer-order-steps');
  /** The activities an order ran before its first timer (picking): to `reserved`, then picking's two. */
  const untilPicking = (h: HistoryToReplay) => {
    const events = h.history.events ?? [];
    const picking = events.findIndex((e) => e.timerStartedEventAttributes);
    return events
      .slice(0, picking)
      .filter((e) => e.activityTaskScheduledEventAttributes)
      .map((e) => e.activityTaskScheduledEventAttributes!.activityType!.name);
  };

  it('the history from before takes 10 activities to reserved; the one from after has both markers and takes 3', () => {
    expect(patchesIn(orders.before)).not.toContain(PATCH_PLACE_IN_ONE_STEP);
    expect(untilPicking(orders.before)).toEqual([
      'lookupCatalogItems',
      'notifyCustomer',
      'recordOrderSummary',
      'holdStock',
      'holdStock',
      'recordOrderSummary',
      'authorizePayment',
      'recordOrderSummary',
      'recordOrderSummary',
      'recordOrderSummary', // reserved
      'notifyCustomer',
      'recordOrderSummary',
    ]);
    expect(patchesIn(orders.after)).toEqual(
      expect.arrayContaining([PATCH_PLACE_IN_ONE_STEP, PATCH_FEWER_PAYMENT_SUMMARIES]),
    );
    expect(untilPicking(orders.after)).toEqual([
      'placeOrder',
      'authorizePayment',
      'recordOrderSummary', // reserved
      'notifyCustomer',
      'recordOrderSummary',
    ]);
  });

  it('both replay against today’s code', async () => {
    const reports = await replay([orders.before, orders.after], { codePath: inject('workflowBundlePath') }, corpusKey);
    expect(reports.map((r) => [path.basename(r.source), r.status, r.reason])).toEqual([
      ['before.json', 'ok', undefined],
      ['after.json', 'ok', undefined],
    ]);
  });

  it('without patched(), placing in one step breaks the orders already under way', async () => {
    const [old] = await replay([orders.before], await unpatchedBundle(), corpusKey);
    expect(old).toMatchObject({ status: 'nondeterministic', workflowId: orders.before.workflowId });
  }, 120_000);
});

describe(`the ${PATCH_ORDER_HANDS_OVER_AT_ONCE} patch`, () => {
  const handOver = pairIn('order-hands-over-at-once');
  /** Whether the workflow task that decided to continue as new also ended the run (nothing awaited between). */
  const inOneTask = (h: HistoryToReplay) => {
    const events = h.history.events ?? [];
    const decided = events.find(
      (e) =>
        e.markerRecordedEventAttributes?.markerName === 'core_patch' &&
        patchesIn({ ...h, history: { events: [e] } })[0] === PATCH_ORDER_CONTINUES_AS_NEW,
    )!.markerRecordedEventAttributes!.workflowTaskCompletedEventId;
    const ended = events.at(-1)!.workflowExecutionContinuedAsNewEventAttributes!.workflowTaskCompletedEventId;
    return String(decided) === String(ended);
  };

  it('the run from before wrote a summary between deciding and handing over; the one from after hands over in that task', () => {
    expect(patchesIn(handOver.before)).not.toContain(PATCH_ORDER_HANDS_OVER_AT_ONCE);
    expect(inOneTask(handOver.before)).toBe(false);
    expect(patchesIn(handOver.after)).toContain(PATCH_ORDER_HANDS_OVER_AT_ONCE);
    expect(inOneTask(handOver.after)).toBe(true);
  });

  it('both replay against today’s code', async () => {
    const reports = await replay(
      [handOver.before, handOver.after],
      { codePath: inject('workflowBundlePath') },
      corpusKey,
    );
    expect(reports.map((r) => [path.basename(r.source), r.status, r.reason])).toEqual([
      ['before.json', 'ok', undefined],
      ['after.json', 'ok', undefined],
    ]);
  });

  it('without patched(), handing over at once breaks the long orders already under way', async () => {
    const [old] = await replay([handOver.before], await unpatchedBundle(), corpusKey);
    expect(old).toMatchObject({ status: 'nondeterministic', workflowId: handOver.before.workflowId });
    expect(old!.reason).toMatch(/Nondeterminism/);
  }, 120_000);
});

describe(`the ${PATCH_CART_CLOCK_KEEPS_TIMER} patch`, () => {
  const clock = pairIn('cart-clock-keeps-timer');
  const count = (h: HistoryToReplay, has: (e: NonNullable<typeof h.history.events>[number]) => unknown) =>
    (h.history.events ?? []).filter(has).length;

  it('the history from before restarts the idle timer for each change; the one from after has the marker and keeps it', () => {
    // The same path (two changes, then checkout); only the cart closing cancels the timer after.
    for (const h of [clock.before, clock.after])
      expect(count(h, (e) => e.workflowExecutionUpdateCompletedEventAttributes)).toBe(3);
    expect(patchesIn(clock.before)).not.toContain(PATCH_CART_CLOCK_KEEPS_TIMER);
    expect(count(clock.before, (e) => e.timerCanceledEventAttributes)).toBe(3);
    expect(count(clock.before, (e) => e.timerStartedEventAttributes)).toBe(3);
    expect(patchesIn(clock.after)).toContain(PATCH_CART_CLOCK_KEEPS_TIMER);
    expect(count(clock.after, (e) => e.timerCanceledEventAttributes)).toBe(1);
    expect(count(clock.after, (e) => e.timerStartedEventAttributes)).toBe(1);
  });

  it('both replay against today’s code', async () => {
    const reports = await replay([clock.before, clock.after], { codePath: inject('workflowBundlePath') }, corpusKey);
    expect(reports.map((r) => [path.basename(r.source), r.status, r.reason])).toEqual([
      ['before.json', 'ok', undefined],
      ['after.json', 'ok', undefined],
    ]);
  });

  it('without patched(), keeping the timer breaks the carts already open', async () => {
    const [old] = await replay([clock.before], await unpatchedBundle(), corpusKey);
    expect(old).toMatchObject({ status: 'nondeterministic', workflowId: clock.before.workflowId });
    expect(old!.reason).toMatch(/Nondeterminism/);
  }, 120_000);
});

describe(`the ${PATCH_PICKING_IN_ONE_STEP} patch`, () => {
  const picking = pairIn('picking-in-one-step');
  /** The activities between the authorization and the picking timer. */
  const toPicking = (h: HistoryToReplay) => {
    const events = h.history.events ?? [];
    const names = events
      .slice(
        0,
        events.findIndex((e) => e.timerStartedEventAttributes),
      )
      .filter((e) => e.activityTaskScheduledEventAttributes)
      .map((e) => e.activityTaskScheduledEventAttributes!.activityType!.name);
    return names.slice(names.indexOf('authorizePayment') + 1);
  };

  it('the history from before writes "reserved", tells, then writes "picking"; the one from after does both in one', () => {
    expect(patchesIn(picking.before)).not.toContain(PATCH_PICKING_IN_ONE_STEP);
    expect(toPicking(picking.before)).toEqual(['recordOrderSummary', 'notifyCustomer', 'recordOrderSummary']);
    expect(patchesIn(picking.after)).toContain(PATCH_PICKING_IN_ONE_STEP);
    expect(toPicking(picking.after)).toEqual(['recordOrderStep']);
  });

  it('both replay against today’s code', async () => {
    const reports = await replay(
      [picking.before, picking.after],
      { codePath: inject('workflowBundlePath') },
      corpusKey,
    );
    expect(reports.map((r) => [path.basename(r.source), r.status, r.reason])).toEqual([
      ['before.json', 'ok', undefined],
      ['after.json', 'ok', undefined],
    ]);
  });

  it('without patched(), picking in one step breaks the orders already under way', async () => {
    const [old] = await replay([picking.before], await unpatchedBundle(), corpusKey);
    expect(old).toMatchObject({ status: 'nondeterministic', workflowId: picking.before.workflowId });
    expect(old!.reason).toMatch(/Nondeterminism/);
  }, 120_000);
});

describe('the release baselines', () => {
  const histories = fileURLToPath(new URL('./histories', import.meta.url));
  /** The corpus as recorded before the baselines (versioning/before-baseline-1/) and after them. */
  const pair = (file: string) => {
    const p = {} as { before: HistoryToReplay; after: HistoryToReplay };
    beforeAll(async () => {
      [p.before, p.after] = await Promise.all([
        readHistoryFile(path.join(histories, 'versioning', 'before-baseline-1', file)),
        readHistoryFile(path.join(histories, file)),
      ]);
    });
    return p;
  };
  const order = pair('order-happy-path.json');
  const cart = pair('cart-checkout.json');
  const changeVersionUpserts = (h: HistoryToReplay) =>
    (h.history.events ?? []).filter(
      (e) => e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.TemporalChangeVersion,
    ).length;
  const firstTaskCompleted = (h: HistoryToReplay) =>
    (h.history.events ?? []).find((e) => e.workflowTaskCompletedEventAttributes)!.eventId!.toNumber();
  const markerTasks = (h: HistoryToReplay) =>
    (h.history.events ?? [])
      .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
      .map((e) => e.markerRecordedEventAttributes!.workflowTaskCompletedEventId!.toNumber());

  it('a new order records one marker, its baseline, where one from before recorded one for each patch on its way', () => {
    expect(patchesIn(order.before)).toEqual(
      expect.arrayContaining([PATCH_PLACE_IN_ONE_STEP, PATCH_FEWER_PAYMENT_SUMMARIES, PATCH_PICKING_IN_ONE_STEP]),
    );
    expect(patchesIn(order.before)).not.toContain(PATCH_ORDER_BASELINE);
    expect(changeVersionUpserts(order.before)).toBe(patchesIn(order.before).length);
    expect(patchesIn(order.after)).toEqual([PATCH_ORDER_BASELINE]);
    expect(changeVersionUpserts(order.after)).toBe(1);
    expect(markerTasks(order.after)).toEqual([firstTaskCompleted(order.after)]);
  });

  it("a new cart records its baseline as it starts, and its checkout's workflow task records no marker", () => {
    expect(patchesIn(cart.before)).toEqual(
      expect.arrayContaining([PATCH_CHECKOUT_ANSWERS_AT_START, PATCH_EMAIL_HASH_ATTRIBUTE]),
    );
    expect(new Set(markerTasks(cart.before)).size).toBeGreaterThan(1);
    expect(patchesIn(cart.after)).toEqual([PATCH_CART_BASELINE]);
    expect(markerTasks(cart.after)).toEqual([firstTaskCompleted(cart.after)]);
    expect(changeVersionUpserts(cart.after)).toBe(1);
  });

  it('the histories from before and after replay against today’s code', async () => {
    const reports = await replay(
      [order.before, order.after, cart.before, cart.after],
      { codePath: inject('workflowBundlePath') },
      corpusKey,
    );
    expect(reports.map((r) => [r.workflowId, r.status, r.reason])).toEqual(
      [order.before, order.after, cart.before, cart.after].map((h) => [h.workflowId, 'ok', undefined]),
    );
  });

  it('the baseline is asked for as long as runs that recorded it may be open (then deprecatePatch)', async () => {
    // With patched() answering true and recording nothing, a baseline marker has no call to meet.
    const [current] = await replay([order.after], await unpatchedBundle(), corpusKey);
    expect(current).toMatchObject({ status: 'nondeterministic', workflowId: order.after.workflowId });
  }, 120_000);
});
