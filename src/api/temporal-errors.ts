import {
  isGrpcServiceError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DomainError, ErrorCode } from '../domain/errors.js';

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

// gRPC status codes (grpc/status.h), as the Temporal server answers them.
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_RESOURCE_EXHAUSTED = 8;
const GRPC_UNAVAILABLE = 14;

/**
 * The business outcome inside a failed update (a validator's or a handler's ApplicationFailure),
 * as the DomainError the API answers with; undefined when the failure is not one of ours.
 */
export function domainErrorOf(err: unknown): DomainError | undefined {
  const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
  if (cause instanceof ApplicationFailure && cause.type && KNOWN_CODES.has(cause.type)) {
    return new DomainError(cause.type as ErrorCode, cause.message, cause.details?.[0]);
  }
  return undefined;
}

/** What to tell the client when Temporal could not be asked, or did not answer in time. */
export type TemporalTrouble = 'busy' | 'unreachable' | 'no_answer';

/**
 * Why a call to Temporal did not go through, or undefined when it did not fail that way:
 * `busy` (RESOURCE_EXHAUSTED: too many in-flight updates on one workflow, a rate limit, after the
 * client's own retries), `unreachable` (UNAVAILABLE: the server is down or restarting), `no_answer`
 * (the call's deadline passed: the server, or the worker that must answer a query or an update, did
 * not answer within ANSWER_WITHIN). The gRPC error is the cause of the client's error, or itself.
 */
export function temporalTroubleOf(err: unknown): TemporalTrouble | undefined {
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return 'no_answer';
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (!isGrpcServiceError(e)) continue;
    if (e.code === GRPC_RESOURCE_EXHAUSTED) return 'busy';
    if (e.code === GRPC_UNAVAILABLE) return 'unreachable';
    if (e.code === GRPC_DEADLINE_EXCEEDED) return 'no_answer';
  }
  return undefined;
}

/**
 * A Temporal server that turned the request away for now, as the DomainError the API answers with
 * (and how many seconds to wait): busy is a 429, unreachable and no answer a 503. Undefined for
 * anything else. Gateways that know what the call was (a read, a change) say more themselves.
 */
export function temporalBusyOf(err: unknown): { error: DomainError; retryAfterSeconds: number } | undefined {
  switch (temporalTroubleOf(err)) {
    case 'busy':
      return {
        error: new DomainError(ErrorCode.TooManyRequests, 'too many changes at once on this resource; retry shortly'),
        retryAfterSeconds: 1,
      };
    case 'unreachable':
      return {
        error: new DomainError(
          ErrorCode.ServiceUnavailable,
          'the workflow service (Temporal) is unavailable; retry shortly',
        ),
        retryAfterSeconds: 5,
      };
    case 'no_answer':
      return {
        error: new DomainError(
          ErrorCode.ServiceUnavailable,
          'the workflow service (Temporal, or the workers behind it) did not answer in time; retry shortly',
        ),
        retryAfterSeconds: 5,
      };
    default:
      return undefined;
  }
}

/**
 * What a client is told when a call about one cart or order hit Temporal trouble: a read "could
 * not be read" (retry), a change "may still be applied" (send the same request again: it is
 * applied once). Undefined when the error is not Temporal trouble.
 */
export function unavailableFor(
  err: unknown,
  what: string,
  kind: 'read' | 'change',
  withinMs: number,
): DomainError | undefined {
  const trouble = temporalTroubleOf(err);
  if (trouble === undefined || trouble === 'busy') return undefined;
  const why =
    trouble === 'unreachable'
      ? 'the workflow service (Temporal) is unavailable'
      : `no answer within ${withinMs} ms (Temporal, or the worker that runs it, is busy or away)`;
  return new DomainError(
    ErrorCode.ServiceUnavailable,
    kind === 'read'
      ? `${what} could not be read: ${why}; retry shortly`
      : `${what}: ${why}. The change may still be applied: send the same request again (with the same Idempotency-Key) and it is applied once`,
    { dependency: 'temporal', trouble },
  );
}
