import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { migrateDatabase } from '../../src/db/migrate.js';

const adminUrl = inject('postgresAdminUrl');
const created: string[] = [];

async function withClient<T>(database: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function emptyDatabase(): Promise<string> {
  const name = `drift_${randomBytes(4).toString('hex')}`;
  await withClient('postgres', (c) => c.query(`CREATE DATABASE ${name}`));
  created.push(name);
  return name;
}

/** The shape of a database's public schema: columns, keys, indexes and foreign keys, as text. */
async function shape(database: string) {
  return withClient(database, async (c) => {
    const columns = await c.query(`
      SELECT table_name, column_name, data_type, is_nullable, column_default, character_maximum_length
      FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
      ORDER BY table_name, column_name`);
    const constraints = await c.query(`
      SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS definition
      FROM pg_constraint
      WHERE connamespace = 'public'::regnamespace AND contype IN ('p', 'u', 'f')
        AND conrelid::regclass::text <> '_prisma_migrations'
      ORDER BY 1, 2`);
    const indexes = await c.query(`
      SELECT tablename, indexname, indexdef FROM pg_indexes
      WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1, 2`);
    const extensions = await c.query(`SELECT extname FROM pg_extension ORDER BY 1`);
    return { columns: columns.rows, constraints: constraints.rows, indexes: indexes.rows, extensions: extensions.rows };
  });
}

afterAll(async () => {
  for (const name of created)
    await withClient('postgres', (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
});

describe('migrations', () => {
  it('build exactly the tables prisma/schema.prisma describes (no drift between them)', async () => {
    const migrated = await emptyDatabase();
    const url = new URL(adminUrl);
    url.pathname = `/${migrated}`;
    await migrateDatabase(url.toString());

    const fromSchema = await emptyDatabase();
    url.pathname = `/${fromSchema}`;
    const ddl = execFileSync(
      process.execPath,
      [
        'node_modules/prisma/build/index.js',
        'migrate',
        'diff',
        '--from-empty',
        '--to-schema-datamodel',
        'prisma/schema.prisma',
        '--script',
      ],
      { encoding: 'utf8', env: { ...process.env, DATABASE_URL: url.toString() }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await withClient(fromSchema, (c) => c.query(ddl));

    const [a, b] = [await shape(migrated), await shape(fromSchema)];
    expect(a.columns.length).toBeGreaterThan(10);
    expect(a).toEqual(b);
  });

  it('keep stock conserved with CHECK constraints the schema cannot express', async () => {
    const checks = await withClient(inject('templateDatabase'), async (c) =>
      (
        await c.query(
          `SELECT conname FROM pg_constraint WHERE contype = 'c' AND conrelid = 'inventory'::regclass ORDER BY 1`,
        )
      ).rows.map((r) => r.conname as string),
    );
    expect(checks).toEqual([
      'inventory_on_hand_non_negative',
      'inventory_reserved_within_on_hand',
      'inventory_restock_settings_non_negative',
    ]);
  });
});
