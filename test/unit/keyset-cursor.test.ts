/** The listing cursor shared by orders and the notification outbox: only what the API handed out reads back. */
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../src/db/keyset-cursor.js';
import { DomainError } from '../../src/domain/errors.js';

const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof DomainError ? err.code : 'not a DomainError';
  }
  return 'accepted';
};

describe('keyset cursors', () => {
  it('read back what they were made from', () => {
    const row = { createdAt: new Date('2026-11-30T12:00:00.123Z'), id: 'order-1' };
    expect(decodeCursor(encodeCursor(row))).toEqual({ t: row.createdAt, id: 'order-1' });
  });

  it('refuse, as invalid_cursor, dates PostgreSQL cannot hold and ids of the wrong shape', () => {
    for (const t of ['-100000-01-01T00:00:00Z', '+275000-01-01T00:00:00Z', '0000-01-01T00:00:00Z', 'soon'])
      expect(
        code(() => decodeCursor(forged({ t, id: 'x' }))),
        t,
      ).toBe('invalid_cursor');
    expect(code(() => decodeCursor('not base64 json'))).toBe('invalid_cursor');
    expect(code(() => decodeCursor(forged(null)))).toBe('invalid_cursor');
    expect(code(() => decodeCursor(forged({ t: '2026-11-30T00:00:00Z', id: 7 })))).toBe('invalid_cursor');
    const uuid = /^[0-9a-f-]{36}$/;
    expect(code(() => decodeCursor(forged({ t: '2026-11-30T00:00:00Z', id: 'x' }), uuid))).toBe('invalid_cursor');
  });
});
