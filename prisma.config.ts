import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';
import { poolConfigFromUrl } from './src/db/pg-pool.js';
import { embeddedDatabaseUrl } from './src/config.js';

// The schema's datasource reads DATABASE_URL (Prisma 6 requires a url there); default it to the
// embedded Postgres of `npm start`, as src/config.ts does.
process.env.DATABASE_URL ||= embeddedDatabaseUrl();

// Prisma 7's CLI downloads a native schema engine, which fails offline; Prisma 6.19 with the
// JS engine and a driver adapter runs migrations with its bundled WASM engine (see README).
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations'), seed: 'tsx prisma/seed.ts' },
  adapter: async () => new PrismaPg(poolConfigFromUrl(process.env.DATABASE_URL!, 2)),
});
