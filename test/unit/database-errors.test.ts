/**
 * Which errors mean "PostgreSQL is away, retry" (a 503) rather than a bug (a 500): the shapes pg,
 * Prisma and its pg adapter throw while PostgreSQL is killed, restarting or refusing connections.
 */
import { describe, expect, it } from 'vitest';
import { Prisma } from '../../src/db/prisma.js';
import { isDatabaseUnavailable } from '../../src/api/database-errors.js';

const known = (code: string, message: string) =>
  new Prisma.PrismaClientKnownRequestError(message, { code, clientVersion: Prisma.prismaVersion.client });

describe('isDatabaseUnavailable', () => {
  it.each([
    [
      'a refused connection (pg)',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ],
    ['a connection cut mid-query (pg)', new Error('Connection terminated unexpectedly')],
    // After a cut, the transaction's ROLLBACK goes to the same client and fails with this instead.
    [
      'a client whose connection failed, used again (pg)',
      new Error('Client has encountered a connection error and is not queryable'),
    ],
    [
      'PostgreSQL starting up (57P03, through the adapter)',
      { name: 'DriverAdapterError', cause: { kind: 'postgres', originalCode: '57P03' } },
    ],
    ['an unreachable server (Prisma)', known('P1001', "Can't reach database server")],
    // A transaction outlived its timeout while PostgreSQL stalled: nothing committed, retry.
    [
      'an interactive transaction closed by its timeout (Prisma)',
      known(
        'P2028',
        'Transaction API error: Transaction already closed: A commit cannot be executed on an expired transaction.',
      ),
    ],
    [
      'no pooled connection in time (Prisma)',
      known('P2024', 'Timed out fetching a new connection from the connection pool.'),
    ],
    [
      'wrapped as a cause',
      new Error('saving the order summary failed', { cause: new Error('Connection terminated unexpectedly') }),
    ],
  ])('%s is PostgreSQL away', (_, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it.each([
    ['a unique violation', known('P2002', 'Unique constraint failed on the fields: (`id`)')],
    [
      'a record not found',
      known('P2025', 'An operation failed because it depends on one or more records that were required but not found.'),
    ],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['nothing', undefined],
  ])('%s is not', (_, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });
});
