/**
 * The drains' nudger: writes close together share one signal, and under a steady stream of writes
 * signals are at least `intervalMs` apart, so a busy shop's drains run a round per interval, not one
 * per write.
 */
import type { Client } from '@temporalio/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createNudger } from '../../src/drains/singletons.js';

function fakeClient() {
  const signals: { id: string; at: number }[] = [];
  const client = {
    workflow: {
      getHandle: (id: string) => ({
        signal: async () => void signals.push({ id, at: Date.now() }),
      }),
    },
  } as unknown as Client;
  return { client, signals };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createNudger', () => {
  it('a quiet shop: the first write is signalled after coalesceMs, once per follower', async () => {
    const { client, signals } = fakeClient();
    const nudge = createNudger(client, ['popular-items', 'notifications'], { coalesceMs: 100, intervalMs: 500 });
    nudge('journal');
    nudge('journal');
    await vi.advanceTimersByTimeAsync(99);
    expect(signals).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(signals).toEqual([{ id: 'projector-popular-items', at: 100 }]);
  });

  it('a busy shop: a write every 10 ms is signalled every intervalMs, never more often', async () => {
    const { client, signals } = fakeClient();
    const nudge = createNudger(client, ['popular-items'], { coalesceMs: 100, intervalMs: 500 });
    for (let t = 0; t < 3_000; t += 10) {
      nudge('journal');
      await vi.advanceTimersByTimeAsync(10);
    }
    await vi.advanceTimersByTimeAsync(1_000);
    const at = signals.map((s) => s.at);
    expect(at[0]).toBe(100);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(500);
    // Every write is covered: the last signal comes after the last write.
    expect(at.at(-1)).toBeGreaterThanOrEqual(2_990);
    expect(at.length).toBeLessThanOrEqual(7);
  });

  it('after a quiet spell the next write is signalled after coalesceMs again', async () => {
    const { client, signals } = fakeClient();
    const nudge = createNudger(client, ['popular-items'], { coalesceMs: 100, intervalMs: 500 });
    nudge('journal');
    await vi.advanceTimersByTimeAsync(2_000);
    nudge('journal');
    await vi.advanceTimersByTimeAsync(100);
    expect(signals.map((s) => s.at)).toEqual([100, 2_100]);
  });
});
