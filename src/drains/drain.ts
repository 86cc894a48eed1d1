/**
 * A drain: something a singleton workflow (`drainWorkflow`, src/workflows/drain.workflow.ts) runs
 * batch after batch until it is caught up, then sleeps until nudged or until `nextDueInMs`.
 * Read models (`projector-<name>`), the Kafka relay (`projector-kafka-relay`) and the notification
 * sender (`sender-notifications`) are drains; each batch is one activity, retried by Temporal.
 */
export interface DrainResult {
  /** Items handled in this batch (events applied or published, messages sent or given up on). */
  applied: number;
  /** When work is waiting but not yet due (a message backing off): how long until the first falls due. */
  nextDueInMs?: number;
}

export interface Drain {
  /** Handles at most `limit` items; `applied: 0` when there is nothing to do now. */
  runBatch(limit: number): Promise<DrainResult>;
  /** Releases connections (SMTP, Kafka producer) when the worker stops. */
  close?(): Promise<void>;
}
