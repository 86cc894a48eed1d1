import { ApplicationFailure } from '@temporalio/activity';
import { DomainError, PAYMENT_REQUEST_FAILED } from '../domain/errors.js';
import { PaymentRequestError } from '../payments/provider.js';

/**
 * Runs an activity body, turning business outcomes into non-retryable ApplicationFailures the
 * workflow switches on by type. Anything else (a dropped connection, a timeout) stays an ordinary
 * error, which Temporal retries.
 */
export async function businessFailures<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof DomainError) {
      throw ApplicationFailure.create({
        type: err.code,
        message: err.message,
        nonRetryable: true,
        details: err.details === undefined ? [] : [err.details],
      });
    }
    if (err instanceof PaymentRequestError) {
      throw ApplicationFailure.create({
        type: PAYMENT_REQUEST_FAILED,
        message: err.message,
        nonRetryable: true,
        details: [{ code: err.code }],
      });
    }
    throw err;
  }
}
