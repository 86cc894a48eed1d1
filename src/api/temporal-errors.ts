import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DomainError, ErrorCode } from '../domain/errors.js';

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

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
