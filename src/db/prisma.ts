import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { poolConfigFromUrl } from './pg-pool.js';

export type { PrismaClient } from '../generated/prisma/client.js';
export { Prisma } from '../generated/prisma/client.js';

const pools = new WeakMap<PrismaClient, pg.Pool>();

/**
 * A Prisma client on the pg driver adapter (no native query engine: works offline), over a pg pool
 * of its own that `poolOf` hands to the few hot reads written as plain SQL. `$disconnect` ends it.
 */
export function createPrisma(databaseUrl: string, poolSize = 10): PrismaClient {
  const pool = new pg.Pool(poolConfigFromUrl(databaseUrl, poolSize));
  // An idle connection PostgreSQL dropped (a restart): the pool discards it, the next query reconnects.
  pool.on('error', () => undefined);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(prisma, pool);
  return prisma;
}

/**
 * The pg pool under a client from `createPrisma`: for reads on every request (a cart's catalog
 * row, a session), where Prisma's query compiler cost about 1 ms of CPU a statement and plain SQL
 * on the same connections about 0.2 ms (scratch measurement, BENCHMARKS.md).
 */
export function poolOf(prisma: PrismaClient): pg.Pool {
  const pool = pools.get(prisma);
  if (!pool) throw new Error('poolOf: this Prisma client was not made by createPrisma');
  return pool;
}
