import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import {
  historyBudgetProblems,
  nextRefundCheckMs,
  refundChecks,
  RUN_EVENT_BUDGET,
  worstOrderRun,
} from '../../src/domain/history-budget.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const defaults = {
  maxPaymentAttempts: 3,
  paymentTimeoutMs: 30 * MINUTE,
  paymentActionTimeoutMs: 15 * MINUTE,
  paymentCheckIntervalMs: MINUTE,
  returnWindowMs: 30 * DAY,
  refundCheckIntervalMs: 60 * MINUTE,
  cartMaxUpdatesPerRun: 250,
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ DATA_DIR: mkdtempSync(path.join(tmpdir(), 'budget-')), ...env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  return [];
}

describe('the history budget', () => {
  it('keeps an order with the default durations well under it', () => {
    expect(historyBudgetProblems(defaults)).toEqual([]);
    expect(worstOrderRun(defaults).events).toBeLessThan(RUN_EVENT_BUDGET / 2);
  });

  it('looks at a pending refund less and less often: a day apart at most, so a long window stays small', () => {
    expect(nextRefundCheckMs(MINUTE, MINUTE)).toBe(2 * MINUTE);
    expect(nextRefundCheckMs(20 * 60 * MINUTE, MINUTE)).toBe(DAY);
    expect(nextRefundCheckMs(2 * DAY, 2 * DAY)).toBe(2 * DAY); // an interval above a day is kept
    expect(refundChecks(MINUTE, 30 * DAY)).toBeLessThan(50);
    fc.assert(
      fc.property(fc.integer({ min: 1_000, max: DAY }), fc.integer({ min: 0, max: 365 * DAY }), (interval, window) => {
        expect(refundChecks(interval, window)).toBeLessThanOrEqual(
          Math.ceil(Math.log2(DAY / interval)) + 1 + window / DAY,
        );
      }),
    );
  });

  it('refuses durations that would take one run past it, naming what to change', () => {
    const [problem] = historyBudgetProblems({
      ...defaults,
      paymentActionTimeoutMs: 7 * DAY,
      paymentTimeoutMs: 7 * DAY,
    });
    expect(problem).toMatch(/^PAYMENT_ACTION_TIMEOUT, PAYMENT_CHECK_INTERVAL/);
    expect(problem).toMatch(/looks at a 3-D Secure payment per attempt/);
    expect(historyBudgetProblems({ ...defaults, cartMaxUpdatesPerRun: 1_500 })).toEqual([
      expect.stringMatching(/^CART_MAX_UPDATES_PER_RUN: 1500 updates .* at most 666$/),
    ]);
  });

  it('is applied when the configuration is loaded', () => {
    expect(problemsOf({})).toEqual([]);
    expect(problemsOf({ PAYMENT_TIMEOUT: '7d', PAYMENT_ACTION_TIMEOUT: '7d', PAYMENT_CHECK_INTERVAL: '30s' })).toEqual([
      expect.stringContaining('over the 8000 kept below Temporal'),
    ]);
    expect(problemsOf({ HISTORY_EVENTS_PER_RUN: '100000' })).toEqual([
      expect.stringMatching(/^HISTORY_EVENTS_PER_RUN: must be/),
    ]);
  });
});
