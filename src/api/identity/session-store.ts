import type { SessionStore } from '@fastify/session';
import type { Session } from 'fastify';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import { isDatabaseUnavailable } from '../database-errors.js';
import { poolOf, type Prisma, type PrismaClient } from '../../db/prisma.js';

/** A session remembers this many carts (a shopper rarely has more than one open). */
export const CARTS_PER_SESSION = 20;

const unsaved = new WeakSet<object>();
const answers = new WeakMap<object, { statusCode: number }>();

/**
 * Tells the store what the session's answer is, before the session is saved with it: when the
 * answer is already an error, a failed save is left unsaid (fastify would otherwise replace the
 * error's body with its own), and the client retries anyway.
 */
export function noteAnswer(session: object, reply: { statusCode: number }): void {
  answers.set(session, reply);
}

/**
 * Sessions in PostgreSQL, so every API process sees the same ones and a restart signs nobody out.
 * Expired rows are ignored on read and deleted by `sweep` (the API runs it now and then).
 */
export class PrismaSessionStore implements SessionStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly ttlMs: number,
  ) {}

  set(sessionId: string, session: Session, callback: (err?: unknown) => void): void {
    // The error answer to a failed save would try to save again: once is enough.
    if (unsaved.has(session)) return callback();
    const data = JSON.parse(JSON.stringify(session)) as Prisma.InputJsonObject;
    const expires = session.cookie?.expires;
    const expiresAt = expires ? new Date(expires) : new Date(Date.now() + this.ttlMs);
    this.save(sessionId, data, expiresAt).then(
      () => callback(),
      (err: unknown) => {
        unsaved.add(session);
        if ((answers.get(session)?.statusCode ?? 200) >= 400) return callback();
        callback(
          isDatabaseUnavailable(err)
            ? new DomainError(ErrorCode.ServiceUnavailable, 'your session could not be saved: the database is away', {
                dependency: 'postgres',
              })
            : err,
        );
      },
    );
  }

  /**
   * One session's requests run at once (two tabs, a page's parallel fetches), and each saves the
   * whole session it read: carts claimed by one would be lost to the other's save. The row is
   * locked, and cart ids saved meanwhile are kept (cart ids only ever join a session).
   */
  private save(id: string, data: Prisma.InputJsonObject, expiresAt: Date): Promise<unknown> {
    return this.prisma.$transaction(async (tx) => {
      const [row] = await tx.$queryRaw<{ data: { cartIds?: unknown } }[]>`
        SELECT data FROM sessions WHERE id = ${id} FOR UPDATE`;
      const saved = Array.isArray(row?.data.cartIds) ? (row.data.cartIds as string[]) : [];
      const next = Array.isArray(data.cartIds) ? (data.cartIds as string[]) : [];
      const missing = saved.filter((cartId) => !next.includes(cartId));
      const merged =
        missing.length > 0 && data.cartIds !== undefined
          ? { ...data, cartIds: [...missing, ...next].slice(-CARTS_PER_SESSION) }
          : data;
      await tx.session.upsert({
        where: { id },
        create: { id, data: merged, expiresAt },
        update: { data: merged, expiresAt },
      });
    });
  }

  /** Read on every request with a cookie: plain SQL on Prisma's pool (see poolOf). */
  get(sessionId: string, callback: (err: unknown, result?: Session | null) => void): void {
    poolOf(this.prisma)
      .query<{ data: Session }>({
        name: 'session-get',
        text: 'SELECT data FROM sessions WHERE id = $1 AND expires_at > $2',
        values: [sessionId, new Date()],
      })
      .then(({ rows: [row] }) => callback(null, row?.data ?? null), callback);
  }

  destroy(sessionId: string, callback: (err?: unknown) => void): void {
    this.prisma.session.deleteMany({ where: { id: sessionId } }).then(() => callback(), callback);
  }

  /** Deletes expired sessions; returns how many. */
  async sweep(): Promise<number> {
    const { count } = await this.prisma.session.deleteMany({ where: { expiresAt: { lte: new Date() } } });
    return count;
  }
}
