import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { loadConfig } from '../../src/config.js';
import { createPrisma } from '../../src/db/prisma.js';
import { createPaymentProvider } from '../../src/payments/index.js';
import { startTestStack, type TestStack } from '../helpers/app.js';
import { freePort } from '../../src/dev/ports.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

describe('health and readiness', () => {
  it('reports ready when Postgres and Temporal answer', async () => {
    expect((await stack.http('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await stack.http('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
    expect(ready.body.checks.postgres.ok).toBe(true);
    expect(ready.body.checks.temporal.ok).toBe(true);
  });

  it('stays alive but answers 503 naming what is down when Postgres and Temporal are unreachable', async () => {
    const [deadPg, deadTemporal] = [await freePort(), await freePort()];
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: `postgresql://postgres:postgres@127.0.0.1:${deadPg}/nothing`,
      TEMPORAL_ADDRESS: `127.0.0.1:${deadTemporal}`,
      ADMIN_TOKEN: 'test-admin-token-0123456789',
    });
    const prisma = createPrisma(config.databaseUrl, 1);
    const connection = Connection.lazy({ address: config.temporal.address });
    const app = await buildApp(
      {
        config,
        prisma,
        temporal: { client: new Client({ connection }), connection },
        payments: createPaymentProvider(config, prisma),
      },
      { logger: false },
    );
    try {
      expect((await app.inject('/healthz')).statusCode).toBe(200);
      const res = await app.inject('/readyz');
      expect(res.statusCode).toBe(503);
      const body = res.json();
      expect(body.status).toBe('unavailable');
      expect(body.checks.postgres).toMatchObject({ ok: false, error: expect.any(String) });
      expect(body.checks.temporal).toMatchObject({ ok: false, error: expect.any(String) });
      // The catalog needs Postgres: it fails cleanly, with the message hidden.
      const list = await app.inject('/api/products');
      expect(list.statusCode).toBe(500);
      expect(list.json()).toEqual({ error: { code: 'internal_error', message: expect.any(String) } });
    } finally {
      await app.close();
      await prisma.$disconnect();
    }
  });
});
