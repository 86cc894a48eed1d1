/**
 * What an order has taken and must give back if it is cancelled, as plain data (so it survives
 * continue-as-new). Each kind names the undo that sits beside its step in
 * src/workflows/order/steps/: `release` and `stopWaiting` in hold-stock.ts, `voidPayment` in
 * authorize.ts.
 */
export type Undo =
  | { kind: 'release'; productId: string; sku: string; quantity: number }
  | { kind: 'stopWaiting'; productId: string; sku: string }
  | { kind: 'voidPayment' };

/** A stack of undos: pushed after each step succeeds, unwound newest-first. */
export class Saga {
  private entries: Undo[];

  constructor(entries: readonly Undo[] = []) {
    this.entries = [...entries];
  }

  push(undo: Undo): void {
    this.entries.push(undo);
  }

  /** Forgets the undos `done` matches: what they would give back has been given back already. */
  drop(done: (undo: Undo) => boolean): void {
    this.entries = this.entries.filter((u) => !done(u));
  }

  /** Nothing left to undo (shipped goods are not un-held: from then on only refunds undo money). */
  clear(): void {
    this.entries.length = 0;
  }

  get pending(): readonly Undo[] {
    return this.entries;
  }

  /** Runs every undo, newest first (the last thing taken is the first given back), and empties the stack. */
  async unwind(undo: (entry: Undo) => Promise<unknown>): Promise<void> {
    const entries = this.entries.reverse();
    this.entries = [];
    for (const entry of entries) await undo(entry);
  }
}
