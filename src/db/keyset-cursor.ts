import { DomainError, ErrorCode } from '../domain/errors.js';

/**
 * Keyset paging, newest first: the cursor is the last row's (created_at, id), so pages neither skip
 * nor repeat rows written between two requests. Opaque to clients (base64url JSON); anything this
 * API did not hand out is a 422 invalid_cursor, never a query PostgreSQL would refuse.
 */
export const encodeCursor = (row: { createdAt: Date; id: string }) =>
  Buffer.from(JSON.stringify({ t: row.createdAt.toISOString(), id: row.id })).toString('base64url');

/** Reads a cursor; `idPattern` narrows which ids are acceptable (e.g. a UUID column). */
export function decodeCursor(cursor: string, idPattern?: RegExp): { t: Date; id: string } {
  const invalid = () => new DomainError(ErrorCode.InvalidCursor, 'cursor is not one this API returned');
  let parsed: { t?: unknown; id?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    throw invalid();
  }
  const t = typeof parsed?.t === 'string' ? new Date(parsed.t) : undefined;
  // Years 1 to 9999 only: a forged date JavaScript accepts (year -100000) PostgreSQL refuses (a 500).
  const year = t?.getUTCFullYear() ?? NaN;
  const id = parsed?.id;
  if (!t || !(year >= 1 && year <= 9999) || typeof id !== 'string' || (idPattern && !idPattern.test(id)))
    throw invalid();
  return { t, id };
}
