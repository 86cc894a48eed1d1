/**
 * `npm run db:migration -- <name>`: writes prisma/migrations/<timestamp>_<name>/migration.sql with the
 * SQL that takes the schema as last committed (git HEAD) to prisma/schema.prisma as it is now.
 *
 * Why not `prisma migrate dev`: with the offline WASM schema engine it cannot introspect Postgres's
 * catalog (unsupported "char" columns, then a panic). Diffing two schema files avoids introspection,
 * though the adapter-based CLI still connects: a Postgres must be reachable (npm start's, or
 * DATABASE_URL).
 * test/db/migrations.test.ts checks that the migrations and the schema describe the same tables.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: npm run db:migration -- <name in snake_case>');
  process.exit(2);
}

const previous = path.join(tmpdir(), `schema-at-head-${process.pid}.prisma`);
writeFileSync(previous, execFileSync('git', ['show', 'HEAD:prisma/schema.prisma'], { encoding: 'utf8' }));
const sql = execFileSync(
  process.execPath,
  [
    'node_modules/prisma/build/index.js',
    'migrate',
    'diff',
    '--from-schema-datamodel',
    previous,
    '--to-schema-datamodel',
    'prisma/schema.prisma',
    '--script',
  ],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
);
if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) {
  console.log('prisma/schema.prisma has no change since HEAD: no migration written.');
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const dir = path.join('prisma', 'migrations', `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, 'migration.sql'), sql);
console.log(`Wrote ${dir}/migration.sql; review it (the pg adapter splits it on ';'), then commit it with the schema.`);
