import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const dataDir = () => mkdtempSync(path.join(tmpdir(), 'config-test-'));

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ DATA_DIR: dataDir(), ...env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('needs no setup: every default works, and points at the embedded servers of npm start', () => {
    const dir = dataDir();
    const config = loadConfig({ DATA_DIR: dir });
    expect(config.port).toBe(3000);
    expect(config.temporal).toMatchObject({
      address: '127.0.0.1:7233',
      addressExplicit: false,
      namespace: 'default',
      taskQueue: 'orders',
      uiPort: 8233,
    });
    expect(config.databaseUrl).toBe('postgresql://postgres:postgres@127.0.0.1:55432/orchestrator');
    expect(config.databaseUrlExplicit).toBe(false);
    expect(config.currency).toBe('USD');
    // A development admin token is generated once and kept.
    expect(config.adminTokenGenerated).toBe(true);
    expect(config.adminToken.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(path.join(dir, 'admin-token'), 'utf8').trim()).toBe(config.adminToken);
    expect(loadConfig({ DATA_DIR: dir }).adminToken).toBe(config.adminToken);
  });

  it('moves the embedded servers with POSTGRES_PORT and TEMPORAL_PORT', () => {
    const config = loadConfig({ DATA_DIR: dataDir(), POSTGRES_PORT: '6000', TEMPORAL_PORT: '7999' });
    expect(config.databaseUrl).toContain('127.0.0.1:6000/');
    expect(config.temporal.address).toBe('127.0.0.1:7999');
    expect(config.temporal.addressExplicit).toBe(false);
  });

  it('uses what is given', () => {
    const config = loadConfig({
      DATA_DIR: dataDir(),
      PORT: '8080',
      DATABASE_URL: 'postgres://u:p@db.example:5432/shop',
      TEMPORAL_ADDRESS: 'temporal.example:7233',
      TEMPORAL_NAMESPACE: 'shop-prod',
      TASK_QUEUE: 'shop',
      ADMIN_TOKEN: 'a-long-enough-admin-token',
    });
    expect(config).toMatchObject({
      port: 8080,
      databaseUrl: 'postgres://u:p@db.example:5432/shop',
      databaseUrlExplicit: true,
      adminToken: 'a-long-enough-admin-token',
      adminTokenGenerated: false,
    });
    expect(config.temporal).toMatchObject({
      address: 'temporal.example:7233',
      addressExplicit: true,
      namespace: 'shop-prod',
      taskQueue: 'shop',
    });
  });

  it("runs the dev server's SQLite in WAL mode unless told otherwise, and refuses pragmas that are not name=value", () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).temporal.sqlitePragmas).toEqual([
      'journal_mode=wal',
      'synchronous=normal',
    ]);
    expect(loadConfig({ DATA_DIR: dataDir(), TEMPORAL_SQLITE_PRAGMAS: 'default' }).temporal.sqlitePragmas).toEqual([]);
    expect(
      loadConfig({ DATA_DIR: dataDir(), TEMPORAL_SQLITE_PRAGMAS: 'synchronous=full' }).temporal.sqlitePragmas,
    ).toEqual(['synchronous=full']);
    expect(problemsOf({ TEMPORAL_SQLITE_PRAGMAS: 'journal_mode=wal; --rm -rf' })).toEqual([
      expect.stringMatching(/^TEMPORAL_SQLITE_PRAGMAS: must be name=value pairs/),
    ]);
  });

  it("keeps the SDK's workflow stack traces off unless WORKFLOW_STACK_TRACES=on, and refuses other values", () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).temporal.workflowStackTraces).toBe(false);
    expect(loadConfig({ DATA_DIR: dataDir(), WORKFLOW_STACK_TRACES: 'on' }).temporal.workflowStackTraces).toBe(true);
    expect(problemsOf({ WORKFLOW_STACK_TRACES: 'yes' })).toEqual([expect.stringMatching(/^WORKFLOW_STACK_TRACES: /)]);
  });

  it('names each bad variable and says what is wrong, all at once', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x/y',
      TEMPORAL_ADDRESS: 'no-port',
      LOG_LEVEL: 'loud',
      ADMIN_TOKEN: 'short',
      CURRENCY: 'dollars',
    });
    expect(problems).toHaveLength(6);
    expect(problems.join('\n')).toMatch(/^PORT: must be a whole number from 0 to 65535 \(got "eighty"\)$/m);
    expect(problems.join('\n')).toMatch(/^DATABASE_URL: must be a postgresql:\/\/ URL/m);
    expect(problems.join('\n')).toMatch(/^TEMPORAL_ADDRESS: must be host:port/m);
    expect(problems.join('\n')).toMatch(/^LOG_LEVEL: must be one of/m);
    expect(problems.join('\n')).toMatch(/^ADMIN_TOKEN: must be at least 16 characters/m);
    expect(problems.join('\n')).toMatch(/^CURRENCY: must be an ISO 4217 code/m);
  });

  it('requires ADMIN_TOKEN, the payload keys and every secret in production instead of generating them', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      'ADMIN_TOKEN: is required when NODE_ENV=production',
      'SESSION_SECRET: is required when NODE_ENV=production',
      'ORDER_TOKEN_SECRET: is required when NODE_ENV=production',
      'PAYLOAD_KEYS: is required when NODE_ENV=production',
      'EMAIL_HASH_SECRET: is required when NODE_ENV=production',
    ]);
    const keys = { PAYLOAD_KEYS: `k1:${Buffer.alloc(32).toString('base64')}`, EMAIL_HASH_SECRET: 'e'.repeat(32) };
    expect(
      problemsOf({ NODE_ENV: 'production', ADMIN_TOKEN: 'a'.repeat(16), SESSION_SECRET: 'short', ...keys }),
    ).toEqual([
      'SESSION_SECRET: must be at least 32 characters (a long random value)',
      'ORDER_TOKEN_SECRET: is required when NODE_ENV=production',
    ]);
  });

  it('keeps generated development secrets under the data dir, owner-only, the same on every load', () => {
    const dir = dataDir();
    const first = loadConfig({ DATA_DIR: dir }).security;
    expect(first.sessionSecret.length).toBeGreaterThanOrEqual(32);
    expect(first.orderTokenSecret).not.toBe(first.sessionSecret);
    expect(first.payloadKeys.map((k) => [k.id, k.key.length])).toEqual([['dev1', 32]]);
    expect(loadConfig({ DATA_DIR: dir }).security).toMatchObject({
      sessionSecret: first.sessionSecret,
      orderTokenSecret: first.orderTokenSecret,
      payloadKeys: first.payloadKeys,
      emailHashSecret: first.emailHashSecret,
    });
    expect(statSync(path.join(dir, 'session-secret')).mode & 0o777).toBe(0o600);
  });

  it('reports a value out of range', () => {
    expect(problemsOf({ PORT: '70000' })[0]).toMatch(/^PORT:/);
    expect(problemsOf({ NODE_ENV: 'staging' })[0]).toMatch(/^NODE_ENV: must be one of development, production, test/);
  });
});
