import { businessFailure, toApplicationFailure } from '../contracts/failures.js';
import { ErrorCode, PAYMENT_REQUEST_FAILED } from '../domain/errors.js';
import { PaymentRequestError, ProviderRejectedError } from '../payments/provider.js';

/**
 * SQLSTATE classes (PostgreSQL, appendix A) whose errors a retry cannot cure: the data or the
 * statement is wrong, not the moment. 22 data exception (a NUL byte, bad JSON, out of range),
 * 23 integrity constraint (CHECK, foreign key, not null; not unique: see below), 42 syntax or access rule (a deploy that
 * does not match the schema), 2F/P0 errors raised by routines, 44 WITH CHECK OPTION. Everything
 * else (08 connection, 40 serialization and deadlock, 53 resources, 55 locks, 57 shutdown, 58/XX
 * system) is transient and retried.
 */
const PERMANENT_SQLSTATE_CLASSES = new Set(['22', '23', '42', '2F', 'P0', '44']);

/** Prisma's own codes for refusals of the data: too long, unique, foreign key, null, relation, value. */
const PERMANENT_PRISMA_CODES = new Set([
  'P2000',
  'P2002',
  'P2003',
  'P2004',
  'P2005',
  'P2006',
  'P2007',
  'P2011',
  'P2014',
  'P2019',
  'P2020',
]);

/** The driver adapter's words for a constraint the database enforced. */
const PERMANENT_ADAPTER_KINDS = new Set([
  'UniqueConstraintViolation',
  'ForeignKeyConstraintViolation',
  'NullConstraintViolation',
  'LengthMismatch',
  'InvalidInputValue',
  'ValueOutOfRange',
]);

interface DatabaseRefusal {
  /** The SQLSTATE, when the database gave one. */
  sqlState: string | null;
  message: string;
}

type Fields = { [key: string]: unknown };
const record = (v: unknown): Fields | undefined => (v !== null && typeof v === 'object' ? (v as Fields) : undefined);

/**
 * A database error that retrying cannot cure, as the SQLSTATE and message; undefined for anything
 * else (transient, or not a database error at all). Reads the shapes Prisma's pg adapter throws:
 * a DriverAdapterError (cause.originalCode), a known request error (meta.driverAdapterError), a
 * validation error (a query Prisma could not build from the data), and pg's own errors.
 */
export function permanentDatabaseError(err: unknown): DatabaseRefusal | undefined {
  const e = record(err);
  if (!e) return undefined;
  const name = String(e.name ?? record(e.constructor)?.name ?? '');
  const message =
    String(e.message ?? '')
      .trim()
      .split('\n')
      .filter(Boolean)
      .at(-1) ?? 'the database refused the data';
  if (name === 'PrismaClientValidationError') return { sqlState: null, message };
  // Prisma's engine parsing a JSON value it was given (an unpaired surrogate in a JSON field).
  if (name === 'PrismaClientUnknownRequestError' && /JSON Error/i.test(String(e.message)))
    return { sqlState: null, message };
  const cause = record(e.cause) ?? record(record(e.meta)?.driverAdapterError)?.cause;
  const sqlState: unknown =
    record(cause)?.originalCode ??
    (record(cause)?.kind === 'postgres' ? record(cause)?.code : undefined) ??
    (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && !e.code.startsWith('P') ? e.code : undefined);
  // A unique key taken is, in these stores (every write keyed by what it does), another attempt of
  // the same step that got there first: the retry finds its effect. Retried, not refused.
  if (sqlState === '23505' || e.code === 'P2002' || record(cause)?.kind === 'UniqueConstraintViolation')
    return undefined;
  if (typeof sqlState === 'string' && PERMANENT_SQLSTATE_CLASSES.has(sqlState.slice(0, 2)))
    return { sqlState, message: String(record(cause)?.originalMessage ?? message) };
  if (typeof sqlState === 'string') return undefined; // a SQLSTATE of a transient class
  if (PERMANENT_ADAPTER_KINDS.has(String(record(cause)?.kind))) return { sqlState: null, message };
  if (typeof e.code === 'string' && PERMANENT_PRISMA_CODES.has(e.code)) return { sqlState: null, message };
  return undefined;
}

/**
 * What an activity's error means to the workflow. Business outcomes and refusals become
 * non-retryable ApplicationFailures with a stable type the workflow switches on:
 * - a DomainError, by its code (stock_not_held, product_not_found, ...);
 * - a payment provider's refusal of the request, as payment_request_failed with the provider's code;
 * - a provider that refuses us (401/403: a revoked key, missing permissions), as provider_rejected;
 * - data the database refuses for good (see permanentDatabaseError), as data_rejected with its SQLSTATE.
 * Anything else (a dropped connection, a timeout, a rate limit, a 5xx) stays an ordinary error,
 * which Temporal retries.
 */
export function classifyActivityError(err: unknown): unknown {
  if (err instanceof PaymentRequestError)
    return businessFailure(PAYMENT_REQUEST_FAILED, err.message, { code: err.code });
  if (err instanceof ProviderRejectedError)
    return businessFailure(ErrorCode.ProviderRejected, err.message, { status: err.status });
  const refusal = permanentDatabaseError(err);
  if (refusal) return businessFailure(ErrorCode.DataRejected, refusal.message, { sqlState: refusal.sqlState });
  return toApplicationFailure(err);
}

type AnyActivity = (...args: never[]) => Promise<unknown>;

/** Every activity of `activities`, its errors classified (see classifyActivityError). */
export function withClassifiedFailures<T extends Record<string, AnyActivity>>(activities: T): T {
  return Object.fromEntries(
    Object.entries(activities).map(([name, activity]) => [
      name,
      async (...args: never[]) => {
        try {
          return await activity(...args);
        } catch (err) {
          throw classifyActivityError(err);
        }
      },
    ]),
  ) as T;
}
