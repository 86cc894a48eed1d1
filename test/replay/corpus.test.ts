/**
 * The replay corpus: every history under test/replay/histories (subfolders included) replays
 * against the workflow bundle of this test run, and the corpus covers every path of carts and
 * orders. Its payloads are encrypted, as a shop's are, with the public corpus key (older histories
 * in subfolders are plain). Re-record with `npm run histories:record`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { readHistoryFile, type HistoryToReplay, type UnavailableHistory } from '../../src/replay/histories.js';
import { replayHistories, type ReplayReport } from '../../src/replay/replayer.js';
import { encryptingDataConverter } from '../../src/codec/data-converter.js';
import { EncryptionCodec, parseCodecKeys } from '../../src/codec/encryption-codec.js';
import { CORPUS_PAYLOAD_KEYS } from '../../src/replay/corpus-key.js';

Runtime.install({ logger: new DefaultLogger('WARN') });

const dir = fileURLToPath(new URL('./histories', import.meta.url));
/** Paths relative to histories/, found when the file is collected: one test each. */
const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.json'))
  .sort();

const reports = new Map<string, ReplayReport>();
beforeAll(async () => {
  const histories: (HistoryToReplay | UnavailableHistory)[] = [];
  for (const file of files) {
    try {
      histories.push(await readHistoryFile(path.join(dir, file)));
    } catch (error) {
      histories.push({
        source: path.join(dir, file),
        workflowId: file,
        runId: undefined,
        workflowType: undefined,
        error: error as Error,
      });
    }
  }
  // One replay worker for the whole corpus: each history still gets its own report.
  const corpusKey = encryptingDataConverter(parseCodecKeys(CORPUS_PAYLOAD_KEYS).keys);
  for await (const report of replayHistories(histories, { codePath: inject('workflowBundlePath') }, corpusKey))
    reports.set(path.relative(dir, report.source), report);
}, 120_000);

describe('every recorded history replays against today’s workflow code', () => {
  it('has histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s', (file) => {
    const report = reports.get(file);
    expect(report, `no replay report for ${file}`).toBeDefined();
    expect(report!.status, `${file} (${report!.workflowId}): ${report!.reason}`).toBe('ok');
  });
});

// ---- coverage: the corpus holds every path, each history shows what its path is about ----

interface JsonEvent {
  eventType: string;
  [attributes: string]: any;
}
interface JsonHistory {
  events: JsonEvent[];
}

const read = (file: string): JsonHistory => JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
const eventsOf = (h: JsonHistory, type: string) => h.events.filter((e) => e.eventType === `EVENT_TYPE_${type}`);
const started = (h: JsonHistory) => h.events[0]!.workflowExecutionStartedEventAttributes;
const corpusCodec = new EncryptionCodec(parseCodecKeys(CORPUS_PAYLOAD_KEYS).keys);
const bytes = (base64: string | undefined) => Buffer.from(base64 ?? '', 'base64');
/** A payload of the JSON history, decrypted with the corpus key when it is encrypted, as JSON. */
const decode = (payload: { metadata?: Record<string, string>; data?: string } | undefined) => {
  if (!payload?.data) return undefined;
  const metadata = Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, bytes(v)]));
  const opened = corpusCodec.decrypt({ metadata, data: bytes(payload.data) });
  return JSON.parse(Buffer.from(opened.data ?? []).toString('utf8'));
};
/** What the workflow returned (a view of the order, cart or import). */
const result = (h: JsonHistory) =>
  decode(
    eventsOf(h, 'WORKFLOW_EXECUTION_COMPLETED')[0]?.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0],
  );
const updates = (h: JsonHistory) =>
  eventsOf(h, 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED').map(
    (e) => e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest.input.name,
  );
const signals = (h: JsonHistory) =>
  eventsOf(h, 'WORKFLOW_EXECUTION_SIGNALED').map((e) => e.workflowExecutionSignaledEventAttributes.signalName);
const childrenStarted = (h: JsonHistory) =>
  eventsOf(h, 'START_CHILD_WORKFLOW_EXECUTION_INITIATED').map(
    (e) => e.startChildWorkflowExecutionInitiatedEventAttributes.workflowType.name,
  );

const expected: Record<string, { workflowType: string; closes: string; check: (h: JsonHistory) => void }> = {
  'order-happy-path.json': {
    workflowType: 'orderWorkflow',
    closes: 'WORKFLOW_EXECUTION_COMPLETED',
    check: (h) => {
      expect(result(h)).toMatchObject({ status: 'delivered', cancelReason: null });
      expect(eventsOf(h, 'TIMER_FIRED').length).toBeGreaterThanOrEqual(3); // picking, shipping, return window
    },
  },
  'order-declined-then-paid.json': {
    workflowType: 'orderWorkflow',
    closes: 'WORKFLOW_EXECUTION_COMPLETED',
    check: (h) => {
      expect(updates(h)).toContain('providePaymentMethod');
      expect(result(h).status).toBe('delivered');
      expect(result(h).payment.attempts).toBeGreaterThanOrEqual(2);
    },
  },
  'order-3ds.json': {
    workflowType: 'orderWorkflow',
    closes: 'WORKFLOW_EXECUTION_COMPLETED',
    check: (h) => {
      expect(signals(h)).toContain('paymentEvent');
      expect(result(h)).toMatchObject({ status: 'delivered', payment: { method: 'pm_card_authenticationRequired' } });
    },
  },
  'order-backorder-restock.json': {
    workflowType: 'orderWorkflow',
    closes: 'WORKFLOW_EXECUTION_COMPLETED',
    check: (h) => {
      expect(childrenStarted(h)).toContain('restockWorkflow');
      expect(signals(h)).toContain('stockArrived');
      expect(result(h).status).toBe('delivered');
      expect(result(h).timeline.map((t: { type: string }) => t.type)).toContain('backordered');
    },
  },
  'drain-continued-as-new.json': {
    workflowType: 'drainWorkflow',
    closes: 'WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
    check: (h) => {
      expect(started(h).workflowId).toBe('projector-popular-items');
      expect(signals(h)).toContain('nudge');
      expect(eventsOf(h, 'ACTIVITY_TASK_COMPLETED').length).toBeGreaterThanOrEqual(2); // batches
      expect(eventsOf(h, 'TIMER_FIRED').length).toBeGreaterThanOrEqual(1); // slept when caught up
    },
  },
  'restock.json': {
    workflowType: 'restockWorkflow',
    closes: 'WORKFLOW_EXECUTION_COMPLETED',
    check: (h) => {
      expect(started(h).workflowId).toMatch(/^restock-/);
      expect(started(h).parentWorkflowExecution?.workflowId).toMatch(/^order-/);
      expect(eventsOf(h, 'TIMER_FIRED').length).toBeGreaterThanOrEqual(1); // the steps, on durable timers
      const signalled = eventsOf(h, 'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED');
      expect(signalled.map((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes.signalName)).toContain(
        'stockArrived',
      );
    },
  },
  'order-backorder-timeout-partial.json': {
    workflowType: 'orderWorkflow',
    closes: 'WORKFLOW_EXECUTION_COMPLETED',
    check: (h) => {
      const order = result(h);
      expect(order.status).toBe('delivered');
      expect(
        order.lines.map((l: { status: string; cancelReason: string | null }) => [l.status, l.cancelReason]),
      ).toEqual([
        ['shipped', null],
        ['cancelled', 'backorder_timeout'],
      ]);
      expect(order.payment.capturedCents).toBeLessThan(order.payment.authorizedCents);
    },
  },
  'order-cancel-before-shipping.json': {
    workflowType: 'orderWorkflow',
    closes: 'WORKFLOW_EXECUTION_COMPLETED',
    check: (h) => {
      expect(updates(h)).toContain('cancelOrder');
      expect(result(h)).toMatchObject({ status: 'cancelled', cancelReason: 'customer', payment: { step: 'voided' } });
    },
  },
  'order-refund-after-shipping.json': {
    workflowType: 'orderWorkflow',
    closes: 'WORKFLOW_EXECUTION_COMPLETED',
    check: (h) => {
      expect(updates(h)).toContain('refundOrder');
      expect(result(h).status).toBe('delivered');
      expect(result(h).payment.refundedCents).toBeGreaterThan(0);
    },
  },
  'order-force-cancel-after-shipping.json': {
    workflowType: 'orderWorkflow',
    closes: 'WORKFLOW_EXECUTION_COMPLETED',
    check: (h) => {
      expect(updates(h)).toContain('forceCancelOrder');
      const order = result(h);
      expect(order).toMatchObject({ status: 'cancelled', cancelReason: 'operator' });
      expect(order.payment.refundedCents).toBe(order.payment.capturedCents);
      expect(order.lines.every((l: { status: string }) => l.status === 'shipped')).toBe(true);
    },
  },
  'order-payment-timeout.json': {
    workflowType: 'orderWorkflow',
    closes: 'WORKFLOW_EXECUTION_COMPLETED',
    check: (h) => {
      expect(result(h)).toMatchObject({ status: 'cancelled', cancelReason: 'payment_timeout' });
    },
  },
  'order-unpaid-hold-lapsed.json': {
    workflowType: 'orderWorkflow',
    closes: 'WORKFLOW_EXECUTION_COMPLETED',
    check: (h) => {
      expect(updates(h)).toContain('providePaymentMethod');
      const order = result(h);
      expect(order.status).toBe('delivered');
      // Each line went back to pending when its hold lapsed, then was held again once paid.
      const pending = order.timeline.filter((t: { type: string }) => t.type === 'line_pending');
      expect(pending.length).toBe(order.lines.length);
      expect(eventsOf(h, 'MARKER_RECORDED').length).toBeGreaterThanOrEqual(1); // the order's baseline, which covers unpaid-holds-lapse
    },
  },
  'order-continued-as-new.json': {
    workflowType: 'orderWorkflow',
    closes: 'WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
    check: (h) => {
      // Placed and paid in this run, then waiting for stock until the run was long enough to hand over.
      expect(eventsOf(h, 'MARKER_RECORDED').length).toBeGreaterThanOrEqual(1); // the order's baseline, which covers order-continues-as-new
      const carried = eventsOf(h, 'WORKFLOW_EXECUTION_CONTINUED_AS_NEW')[0]!
        .workflowExecutionContinuedAsNewEventAttributes;
      const input = decode(carried.input.payloads[0]);
      expect(input.carried).toMatchObject({ runs: 1, state: { status: 'backordered' } });
      expect(input.carried.saga.map((u: { kind: string }) => u.kind)).toEqual([
        'release',
        'stopWaiting',
        'voidPayment',
      ]);
    },
  },
  'order-after-continue-as-new.json': {
    workflowType: 'orderWorkflow',
    closes: 'WORKFLOW_EXECUTION_COMPLETED',
    check: (h) => {
      expect(started(h).continuedExecutionRunId).toBeTruthy();
      expect(started(h).workflowId).toBe(started(read('order-continued-as-new.json')).workflowId);
      expect(result(h).status).toBe('delivered');
      expect(result(h).timeline.map((t: { type: string }) => t.type)).toContain('continued_as_new');
    },
  },
  'order-step-failed-then-retried.json': {
    workflowType: 'orderWorkflow',
    closes: 'WORKFLOW_EXECUTION_COMPLETED',
    check: (h) => {
      expect(updates(h)).toContain('retryStep');
      expect(eventsOf(h, 'ACTIVITY_TASK_FAILED').length).toBeGreaterThanOrEqual(1);
      const types = result(h).timeline.map((t: { type: string }) => t.type);
      expect(types).toEqual(expect.arrayContaining(['step_failed', 'step_retried', 'delivered']));
      expect(result(h).flags).toEqual([]);
    },
  },
  'cart-checkout.json': {
    workflowType: 'cartWorkflow',
    closes: 'WORKFLOW_EXECUTION_COMPLETED',
    check: (h) => {
      expect(updates(h)).toContain('checkout');
      expect(childrenStarted(h)).toEqual(['orderWorkflow']);
      expect(result(h).status).toBe('checked_out');
      // The changes leave the idle timer alone (cart-clock-keeps-timer): one timer, canceled as the cart closes.
      expect(eventsOf(h, 'TIMER_STARTED')).toHaveLength(1);
      expect(eventsOf(h, 'TIMER_CANCELED')).toHaveLength(1);
    },
  },
  'order-from-checkout.json': {
    workflowType: 'orderWorkflow',
    closes: 'WORKFLOW_EXECUTION_COMPLETED',
    check: (h) => {
      expect(started(h).parentWorkflowExecution?.workflowId).toMatch(/^cart-/);
      expect(result(h).status).toBe('delivered');
    },
  },
  'cart-continued-as-new.json': {
    workflowType: 'cartWorkflow',
    closes: 'WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
    check: (h) => {
      expect(updates(h).filter((u) => u === 'addItem').length).toBeGreaterThanOrEqual(2);
    },
  },
  'cart-after-continue-as-new.json': {
    workflowType: 'cartWorkflow',
    closes: 'WORKFLOW_EXECUTION_COMPLETED',
    check: (h) => {
      // A later run of the same cart: it starts from the run before, with the state that run carried.
      expect(started(h).continuedExecutionRunId).toBeTruthy();
      expect(started(h).workflowId).toBe(started(read('cart-continued-as-new.json')).workflowId);
      expect(childrenStarted(h)).toEqual(['orderWorkflow']);
      expect(result(h).status).toBe('checked_out');
    },
  },
  'cart-priced-by-api.json': {
    workflowType: 'cartWorkflow',
    closes: 'WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
    check: (h) => {
      // Each change carried its pricing: applied in the workflow task that accepted it, no activity.
      expect(updates(h)).toEqual(['addItem', 'addItem', 'setQuantity', 'removeItem']);
      expect(eventsOf(h, 'ACTIVITY_TASK_SCHEDULED')).toEqual([]);
      expect(eventsOf(h, 'WORKFLOW_EXECUTION_UPDATE_COMPLETED')).toHaveLength(4);
      expect(eventsOf(h, 'MARKER_RECORDED')).toHaveLength(1); // cart-baseline-1: covers cart-priced-by-api and the clock's
      expect(eventsOf(h, 'TIMER_STARTED')).toHaveLength(1); // kept across the changes
    },
  },
  'cart-abandoned.json': {
    workflowType: 'cartWorkflow',
    closes: 'WORKFLOW_EXECUTION_COMPLETED',
    check: (h) => {
      expect(eventsOf(h, 'TIMER_FIRED').length).toBeGreaterThanOrEqual(2); // the reminder, then abandonment
      expect(result(h)).toMatchObject({ status: 'abandoned', itemCount: 1 });
    },
  },
  'catalog-import.json': {
    workflowType: 'catalogImportWorkflow',
    closes: 'WORKFLOW_EXECUTION_COMPLETED',
    check: (h) => {
      expect(eventsOf(h, 'ACTIVITY_TASK_COMPLETED').length).toBeGreaterThanOrEqual(1);
      expect(started(h).workflowId).toMatch(/^import-/);
    },
  },
};

describe('the corpus covers every path of carts and orders', () => {
  it.each(Object.keys(expected))('%s', (file) => {
    const { workflowType, closes, check } = expected[file]!;
    expect(files, `${file} is missing: run npm run histories:record`).toContain(file);
    const h = read(file);
    expect(h.events.length, `${file} is trivially short`).toBeGreaterThanOrEqual(10);
    expect(h.events[0]!.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
    expect(started(h).workflowType.name).toBe(workflowType);
    expect(h.events.at(-1)!.eventType, `${file} must end with its workflow closed`).toBe(`EVENT_TYPE_${closes}`);
    // Recorded with enough work done to be worth replaying: completed workflow tasks, not just a start.
    expect(eventsOf(h, 'WORKFLOW_TASK_COMPLETED').length).toBeGreaterThanOrEqual(2);
    check(h);
  });
});

describe('the corpus is encrypted, as a shop’s histories are', () => {
  const recorded = Object.keys(expected);
  it.each(recorded)('%s holds its payloads encrypted and no e-mail in clear', (file) => {
    const text = readFileSync(path.join(dir, file), 'utf8');
    expect(text).not.toContain('replay@example.com');
    const started0 = started(read(file));
    const encoding = bytes(started0.input.payloads[0].metadata.encoding).toString();
    expect(encoding).toBe('binary/encrypted');
    expect(bytes(started0.input.payloads[0].metadata['encryption-key-id']).toString()).toBe('corpus1');
  });

  it('does not replay without the key', async () => {
    const history = await readHistoryFile(path.join(dir, 'order-happy-path.json'));
    const reports: ReplayReport[] = [];
    for await (const report of replayHistories([history], { codePath: inject('workflowBundlePath') }))
      reports.push(report);
    expect(reports.map((r) => r.status)).toEqual(['error']);
    expect(reports[0]!.reason).toMatch(/binary\/encrypted/);
  });
});
