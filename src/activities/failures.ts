import { businessFailure, toApplicationFailure } from '../contracts/failures.js';
import { PAYMENT_REQUEST_FAILED } from '../domain/errors.js';
import { PaymentRequestError } from '../payments/provider.js';

/**
 * Runs an activity body, turning business outcomes into non-retryable ApplicationFailures the
 * workflow switches on by type: a DomainError by its code, a provider's refusal as
 * payment_request_failed with the provider's code. Anything else (a dropped connection, a
 * timeout) stays an ordinary error, which Temporal retries.
 */
export async function businessFailures<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof PaymentRequestError)
      throw businessFailure(PAYMENT_REQUEST_FAILED, err.message, { code: err.code });
    throw toApplicationFailure(err);
  }
}
