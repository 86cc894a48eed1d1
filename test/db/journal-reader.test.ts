/**
 * The journal's readers never skip an event (src/db/journal-reader.ts), on a real PostgreSQL with
 * real concurrent transactions: an event whose transaction took a lower seq and committed after a
 * higher one was read is still read, once, in order.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JOURNAL_START, positionAfter, readJournal, type JournalPosition } from '../../src/db/journal-reader.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let db: TestDatabase;
const clients: pg.Client[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const c of clients) await c.end().catch(() => undefined);
  await db?.drop();
});
beforeEach(async () => {
  await db.prisma.$executeRawUnsafe('TRUNCATE journal_events');
});

async function connection(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  clients.push(client);
  return client;
}

/** Writes one event in the client's open transaction; returns its seq. */
async function write(client: pg.Client, name: string): Promise<string> {
  const { rows } = await client.query(
    `INSERT INTO journal_events (event_id, type, aggregate_id, payload, occurred_at)
     VALUES ($1, 'ItemPurchased', $2, '{}', now()) RETURNING seq::text`,
    [`${name}:${randomUUID()}`, name],
  );
  return rows[0].seq as string;
}

/** A reader as a projector runs one: read a batch, apply it, move the position; until caught up. */
async function drain(position: JournalPosition, seen: string[]): Promise<JournalPosition> {
  for (;;) {
    const batch = await readJournal(db.prisma, position, 3);
    if (batch.length === 0) return position;
    seen.push(...batch.map((e) => e.aggregateId));
    position = positionAfter(position, batch);
  }
}

describe('reading the journal', () => {
  it('does not skip an event whose lower seq commits after a higher one was read', async () => {
    const [early, late] = [await connection(), await connection()];
    await early.query('BEGIN');
    const lowSeq = await write(early, 'early');
    await late.query('BEGIN');
    const highSeq = await write(late, 'late');
    await late.query('COMMIT');
    expect(BigInt(lowSeq)).toBeLessThan(BigInt(highSeq));

    // The classic hole: a reader by seq alone sees "late" now and would store its seq as the position.
    const bySeq = await db.prisma.$queryRaw<{ seq: bigint }[]>`SELECT seq FROM journal_events ORDER BY seq`;
    expect(bySeq.map((r) => String(r.seq))).toEqual([highSeq]);

    // This reader waits: "late" is newer than a transaction still running.
    const seen: string[] = [];
    let position = await drain(JOURNAL_START, seen);
    expect(seen).toEqual([]);

    await early.query('COMMIT');
    position = await drain(position, seen);
    expect(seen).toEqual(['early', 'late']);
    expect(await drain(position, seen)).toEqual(position);
    expect(seen).toEqual(['early', 'late']);
  });

  it('reads each of many concurrently committed events exactly once, while they are written', async () => {
    const writers = await Promise.all(Array.from({ length: 6 }, () => connection()));
    const written: string[] = [];
    const seen: string[] = [];
    let done = false;
    const reader = (async () => {
      let position = JOURNAL_START;
      while (!done) {
        position = await drain(position, seen);
        await sleep(5);
      }
      await drain(position, seen);
    })();
    // Each writer: transactions of 1-3 events, held open a random while, some rolled back.
    await Promise.all(
      writers.map(async (client, w) => {
        for (let t = 0; t < 12; t++) {
          await client.query('BEGIN');
          const names = Array.from({ length: 1 + ((w + t) % 3) }, (_, i) => `w${w}-t${t}-e${i}`);
          for (const name of names) await write(client, name);
          await sleep(Math.floor(Math.random() * 15));
          if ((w * 7 + t) % 5 === 0) {
            await client.query('ROLLBACK');
          } else {
            await client.query('COMMIT');
            written.push(...names);
          }
        }
      }),
    );
    done = true;
    await reader;
    expect(new Set(seen).size).toBe(seen.length); // none twice
    expect([...seen].sort()).toEqual([...written].sort()); // none skipped, nothing rolled back
  });
});
