import { ApplicationFailure } from '@temporalio/common';
import { DomainError } from '../domain/errors.js';

/**
 * A business outcome as the non-retryable ApplicationFailure that workflows switch on and the API
 * maps by its `type` (a stable code). The one way, for activities and workflows alike, to say
 * "retrying will not change this".
 */
export function businessFailure(type: string, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: true,
    details: details === undefined ? [] : [details],
  });
}

/**
 * A DomainError (a rule said no) becomes a business failure of its code; anything else is returned
 * unchanged, so Temporal treats it as it always does (an activity's transient error is retried).
 */
export function toApplicationFailure(err: unknown): unknown {
  return err instanceof DomainError ? businessFailure(err.code, err.message, err.details) : err;
}

/** Runs `fn`, rethrowing a DomainError as its business failure. */
export function asBusinessFailure<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw toApplicationFailure(err);
  }
}
