/**
 * Timestamps mean the same instant whichever client wrote them. Prisma's pg adapter writes a Date
 * as UTC wall-clock time with no offset and reads one back as UTC, so it is right only where the
 * connection's TimeZone is UTC; the hot reads on pg (sessions, the caps' 24 hours) and SQL's own
 * `now()` are right in any. A PostgreSQL whose default TimeZone is not UTC (a shop's server in
 * Berlin) made a session saved through Prisma read back as expired an hour early through pg.
 * Every connection of ours now sets TimeZone=UTC.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from 'fastify';
import { createPrisma, poolOf, type PrismaClient } from '../../src/db/prisma.js';
import { PrismaSessionStore } from '../../src/api/identity/session-store.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let db: TestDatabase;
let berlin: PrismaClient;
beforeAll(async () => {
  db = await createTestDatabase();
  const name = decodeURIComponent(new URL(db.url).pathname.slice(1));
  await db.prisma.$executeRawUnsafe(`ALTER DATABASE "${name}" SET timezone TO 'Europe/Berlin'`);
  berlin = createPrisma(db.url, 2); // new connections: the database's default TimeZone, unless we set ours
});
afterAll(async () => {
  await berlin?.$disconnect();
  await db?.drop();
});

describe('on a PostgreSQL whose default TimeZone is not UTC', () => {
  it('our connections run in UTC, through Prisma and through the pool', async () => {
    const viaPrisma = await berlin.$queryRaw<{ tz: string }[]>`SELECT current_setting('TimeZone') AS tz`;
    const { rows } = await poolOf(berlin).query<{ tz: string }>(`SELECT current_setting('TimeZone') AS tz`);
    expect([viaPrisma[0]?.tz, rows[0]?.tz]).toEqual(['UTC', 'UTC']);
  });

  it('a session saved through Prisma for 30 minutes reads back through pg as not expired', async () => {
    const store = new PrismaSessionStore(berlin, 30 * 60_000);
    const session = { cookie: { expires: new Date(Date.now() + 30 * 60_000) }, cartIds: ['c1'] } as unknown as Session;
    await new Promise<void>((resolve, reject) =>
      store.set('tz-session', session, (err) => (err ? reject(err) : resolve())),
    );
    const read = await new Promise<Session | null | undefined>((resolve, reject) =>
      store.get('tz-session', (err, s) => (err ? reject(err) : resolve(s))),
    );
    expect(read).toMatchObject({ cartIds: ['c1'] });
  });
});
