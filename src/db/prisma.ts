import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { poolConfigFromUrl } from './pg-pool.js';

export type { PrismaClient } from '../generated/prisma/client.js';
export { Prisma } from '../generated/prisma/client.js';

/** A Prisma client on the pg driver adapter (no native query engine: works offline). */
export function createPrisma(databaseUrl: string, poolSize = 10): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg(poolConfigFromUrl(databaseUrl, poolSize)) });
}
