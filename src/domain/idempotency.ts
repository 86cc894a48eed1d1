/**
 * Idempotency keys a long-running entity has already applied. Temporal deduplicates an update id
 * only within one run; this ledger travels across continue-as-new in the workflow's input, so a
 * client retrying with the same key days later, in a later run, still has its change applied once.
 */
export interface LedgerEntry {
  key: string;
  /** What the key was used for: reusing a key for a different request is an error, not a replay. */
  fingerprint: string;
  at: string;
}

export interface LedgerLimits {
  maxEntries: number;
  maxAgeMs: number;
}

/** Clients retry within minutes; a day covers every sane retry policy. */
export const DEFAULT_LEDGER_LIMITS: LedgerLimits = { maxEntries: 500, maxAgeMs: 24 * 3_600_000 };

export type KeyCheck = { kind: 'new' } | { kind: 'replay' } | { kind: 'conflict'; at: string };

export function checkKey(ledger: readonly LedgerEntry[], key: string, fingerprint: string): KeyCheck {
  const entry = ledger.find((e) => e.key === key);
  if (!entry) return { kind: 'new' };
  return entry.fingerprint === fingerprint ? { kind: 'replay' } : { kind: 'conflict', at: entry.at };
}

/** Adds an applied key, dropping entries past the limits (oldest first). */
export function recordKey(
  ledger: readonly LedgerEntry[],
  entry: LedgerEntry,
  limits: LedgerLimits = DEFAULT_LEDGER_LIMITS,
): LedgerEntry[] {
  const cutoff = Date.parse(entry.at) - limits.maxAgeMs;
  const kept = ledger.filter((e) => e.key !== entry.key && Date.parse(e.at) >= cutoff);
  return [...kept, entry].slice(-limits.maxEntries);
}
