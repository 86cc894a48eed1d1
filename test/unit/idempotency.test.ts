import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkKey, recordKey, type LedgerEntry } from '../../src/domain/idempotency.js';

const at = (minutes: number) => new Date(Date.UTC(2026, 10, 21, 0, minutes)).toISOString();

describe('idempotency ledger', () => {
  it('tells a new key, a replay and a key reused for something else apart', () => {
    const ledger = recordKey([], { key: 'k', fingerprint: 'add:1', at: at(0) });
    expect(checkKey(ledger, 'other', 'add:1')).toEqual({ kind: 'new' });
    expect(checkKey(ledger, 'k', 'add:1')).toEqual({ kind: 'replay' });
    expect(checkKey(ledger, 'k', 'add:2')).toEqual({ kind: 'conflict', at: at(0) });
  });

  it('forgets keys past the age limit, oldest first past the count limit', () => {
    let ledger: LedgerEntry[] = [];
    for (let i = 0; i < 5; i++)
      ledger = recordKey(
        ledger,
        { key: `k${i}`, fingerprint: 'f', at: at(i * 10) },
        { maxEntries: 100, maxAgeMs: 25 * 60_000 },
      );
    expect(ledger.map((e) => e.key)).toEqual(['k2', 'k3', 'k4']);
    ledger = recordKey(ledger, { key: 'k5', fingerprint: 'f', at: at(41) }, { maxEntries: 2, maxAgeMs: 25 * 60_000 });
    expect(ledger.map((e) => e.key)).toEqual(['k4', 'k5']);
  });

  it('never exceeds its limits and always remembers the newest key', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 3 }), fc.nat(1000)), { maxLength: 200 }), (writes) => {
        let ledger: LedgerEntry[] = [];
        let minute = 0;
        for (const [key, step] of writes) {
          minute += step % 7;
          ledger = recordKey(
            ledger,
            { key, fingerprint: key, at: at(minute) },
            { maxEntries: 20, maxAgeMs: 60 * 60_000 },
          );
          expect(ledger.length).toBeLessThanOrEqual(20);
          expect(checkKey(ledger, key, key)).toEqual({ kind: 'replay' });
          expect(new Set(ledger.map((e) => e.key)).size).toBe(ledger.length);
        }
      }),
    );
  });
});
