import { isGrpcServiceError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DomainError, ErrorCode } from '../domain/errors.js';

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

// gRPC status codes (grpc/status.h), as the Temporal server answers them.
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

/**
 * A Temporal server that turned the request away for now, as the DomainError the API answers with
 * (and how many seconds to wait): RESOURCE_EXHAUSTED (too many in-flight updates on one workflow, a
 * namespace rate limit), after the client's own retries, is a 429; UNAVAILABLE a 503. Undefined for
 * anything else. The gRPC error is the cause of the client's ServiceError, or the error itself.
 */
export function temporalBusyOf(err: unknown): { error: DomainError; retryAfterSeconds: number } | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (!isGrpcServiceError(e)) continue;
    if (e.code === GRPC_RESOURCE_EXHAUSTED) {
      return {
        error: new DomainError(ErrorCode.TooManyRequests, 'too many changes at once on this resource; retry shortly'),
        retryAfterSeconds: 1,
      };
    }
    if (e.code === GRPC_UNAVAILABLE) {
      return {
        error: new DomainError(ErrorCode.ServiceUnavailable, 'the workflow service is unavailable; retry shortly'),
        retryAfterSeconds: 5,
      };
    }
  }
  return undefined;
}
