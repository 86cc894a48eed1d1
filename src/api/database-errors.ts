/** Fields of an error object, to read the shapes Prisma's pg driver adapter and pg itself throw. */
type Fields = { [key: string]: unknown };
const record = (v: unknown): Fields | undefined => (v !== null && typeof v === 'object' ? (v as Fields) : undefined);

const UNREACHABLE_KINDS = new Set([
  'DatabaseNotReachable',
  'DatabaseDoesNotExist',
  'SocketTimeout',
  'ConnectionClosed',
]);
const UNREACHABLE_CODES = new Set([
  'P1001',
  'P1002',
  'P1008',
  'P1017',
  // A pooled connection not had in time, and an interactive transaction closed by its timeout
  // (PostgreSQL stalled or restarting under it): nothing was committed, the same request again is safe.
  'P2024',
  'P2028',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
]);
const UNREACHABLE_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|ECONNREFUSED|server closed the connection|terminating connection|connection error and is not queryable/i;

/**
 * Whether an error says PostgreSQL could not be reached or went away (refused, reset, timed out,
 * shutting down: SQLSTATE class 08 and 57P0x; a transaction it let time out), as opposed to a query
 * it refused.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; record(e) && depth < 6; depth++) {
    const f = record(e)!;
    const cause = record(f.cause) ?? record(record(f.meta)?.driverAdapterError)?.cause;
    const code = String(f.code ?? '');
    const sqlState = String(record(cause)?.originalCode ?? '');
    if (UNREACHABLE_CODES.has(code) || UNREACHABLE_KINDS.has(String(record(cause)?.kind))) return true;
    if (sqlState.startsWith('08') || /^57P0[1-3]$/.test(sqlState) || /^57P0[1-3]$/.test(code) || code.startsWith('08'))
      return true;
    if (typeof f.message === 'string' && UNREACHABLE_MESSAGES.test(f.message)) return true;
    e = f.cause;
  }
  return false;
}
