/** What the suite asks of its load generator (bench/lib/loadgen.ts), and what it answers. */

export interface HttpRequestSpec {
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Adds a fresh Idempotency-Key header to each request. */
  idempotencyKey?: boolean;
}

export type LoadTarget =
  | { kind: 'http'; baseUrl: string; requests: readonly HttpRequestSpec[] }
  /** Temporal updates, round-robin over running workflows (the baselines' counters). */
  | { kind: 'update'; address: string; workflowIds: readonly string[]; update: string }
  /** Workflow starts; with `waitResult`, the latency runs to the workflow's completion. */
  | {
      kind: 'start';
      address: string;
      taskQueue: string;
      workflowType: string;
      args: readonly unknown[];
      waitResult: boolean;
    };

export interface LoadPlan {
  target: LoadTarget;
  /** Requests per second, sent on schedule whether or not earlier ones have answered (open loop). */
  rate: number;
  /** How many requests in all (`rate` fixes when each is due). */
  count: number;
  /** A request not answered by then counts as failed. */
  timeoutMs?: number;
}

export interface LoadResult {
  rate: number;
  sent: number;
  ok: number;
  failed: number;
  /** Milliseconds from each request's intended send time to its answer, for the ok ones. */
  latencies: number[];
  /** For an http target, the same latencies by request spec (index in `requests`). */
  latenciesBySpec?: number[][];
  /** The first few failures, for the report. */
  errors: string[];
  /** From the first intended send to the last answer. */
  elapsedMs: number;
  /** Most requests outstanding at once. */
  maxInFlight: number;
  /** How late the generator itself sent, at worst (its own lag, included in the latencies). */
  maxSendLagMs: number;
}
