import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { encryptingDataConverter } from '../../src/codec/data-converter.js';
import { TEST_PAYLOAD_KEYS } from './keys.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Drain } from '../../src/drains/drain.js';
import { createNudger, drainWorkflowId, ensureDrainWorkflows } from '../../src/drains/singletons.js';
import { createWorker } from '../../src/worker/create-worker.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { createPaymentProvider } from '../../src/payments/index.js';
import { unlimited } from './limits.js';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';
export { TEST_PAYLOAD_KEYS } from './keys.js';

// The SDK logs every worker state change at INFO; tests want only its warnings.
Runtime.install({ logger: new DefaultLogger('WARN') });

/** What a browser keeps for one shopper: cookies, and the access tokens of the orders it placed. */
export interface Shopper {
  cookies: Map<string, string>;
  tokens: Map<string, string>;
}

export const newShopper = (): Shopper => ({ cookies: new Map(), tokens: new Map() });

/** The request headers a shopper's browser would add. */
export function shopperHeaders(who: Shopper, path: string): Record<string, string> {
  const headers: Record<string, string> = {};
  if (who.cookies.size > 0) headers.cookie = [...who.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const orderId = /^\/api\/orders\/([0-9a-fA-F-]{36})/.exec(path)?.[1]?.toLowerCase();
  const token = orderId ? who.tokens.get(orderId) : undefined;
  if (token) headers['x-order-token'] = token;
  return headers;
}

/** Keeps what an answer gave the shopper: its cookies, and an order's access token. */
export function rememberAnswer(who: Shopper, headers: Headers, body: unknown): void {
  for (const line of headers.getSetCookie()) {
    const [pair, ...attributes] = line.split(';');
    const [name, ...value] = pair!.split('=');
    const gone = attributes.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
    if (gone) who.cookies.delete(name!.trim());
    else who.cookies.set(name!.trim(), value.join('='));
  }
  const placed = body as { orderId?: unknown; accessToken?: unknown } | undefined;
  if (typeof placed?.orderId === 'string' && typeof placed.accessToken === 'string')
    who.tokens.set(placed.orderId, placed.accessToken);
}

export interface TestStack {
  /** Base URL of the API, listening on a real port. */
  url: string;
  config: Config;
  db: TestDatabase;
  app: FastifyInstance;
  client: Client;
  /** The in-process worker, unless the stack was started with `worker: false`. */
  worker: Worker | undefined;
  /**
   * Calls the API over HTTP as one shopper (a browser: its session cookie, and the access token of
   * every order it placed); `admin: true` adds the admin token; `as` calls as another shopper.
   */
  http(
    path: string,
    init?: RequestInit & { json?: unknown; admin?: boolean; as?: Shopper },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  /** A shopper of its own: no session, no tokens (a stranger, until it starts shopping). */
  shopper(): Shopper;
  /** The workflow id of a drain's singleton in this stack (ids carry the stack's task queue). */
  drainWorkflowId(drain: string): string;
  close(): Promise<void>;
}

/**
 * The real thing for one test file: its own database (cloned from the seeded template), the fastify
 * app on a real port, a Temporal client and a worker on a task queue of its own.
 */
export async function startTestStack(
  env: Record<string, string> = {},
  options: {
    worker?: boolean;
    /** Runs once the database exists, before the app and worker start; returns more environment. */
    beforeStart?: (db: TestDatabase) => Promise<Record<string, string>>;
    /** Drains the worker runs (src/drains/): their singleton workflows are started and nudged. */
    drains?: (db: TestDatabase) => Map<string, Drain>;
  } = {},
): Promise<TestStack> {
  const db = await createTestDatabase();
  const more = (await options.beforeStart?.(db)) ?? {};
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TASK_QUEUE: `test-${randomUUID()}`,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    SESSION_SECRET: 'test-session-secret-0123456789abcdef',
    ORDER_TOKEN_SECRET: 'test-order-token-secret-0123456789abcdef',
    PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
    EMAIL_HASH_SECRET: 'test-email-hash-secret-0123456789abcdef',
    ...unlimited,
    ...env,
    ...more,
  });
  const connection = await Connection.connect({ address: config.temporal.address });
  const dataConverter = encryptingDataConverter(config.security.payloadKeys);
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter });
  const payments = createPaymentProvider(config, db.prisma);
  const app = await buildApp(
    { config, prisma: db.prisma, temporal: { client, connection }, payments },
    { logger: false },
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

  const workerConnection =
    options.worker === false ? undefined : await NativeConnection.connect({ address: config.temporal.address });
  const drains = options.drains?.(db) ?? new Map<string, Drain>();
  const drainSuffix = `-${config.temporal.taskQueue}`;
  const worker = workerConnection
    ? await createWorker({
        connection: workerConnection,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        deps: {
          prisma: db.prisma,
          payments,
          drains,
          nudge: createNudger(client, [...drains.keys()], { coalesceMs: 20, idSuffix: drainSuffix }),
        },
        dataConverter,
        workflowBundlePath: inject('workflowBundlePath'),
      })
    : undefined;
  const running = worker?.run();
  if (worker && drains.size > 0)
    await ensureDrainWorkflows(client, config.temporal.taskQueue, [...drains.keys()], {
      idleMs: 2_000,
      roundsPerRun: 20,
      idSuffix: drainSuffix,
    });
  const me = newShopper();

  return {
    url,
    config,
    db,
    app,
    client,
    worker,
    shopper: newShopper,
    drainWorkflowId: (drain) => drainWorkflowId(drain, drainSuffix),
    async http(path, { json, admin, headers, as = me, ...init } = {}) {
      const res = await fetch(`${url}${path}`, {
        ...init,
        headers: {
          ...shopperHeaders(as, path),
          ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(admin ? { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } : {}),
          ...(headers as Record<string, string> | undefined),
        },
        body: json !== undefined ? JSON.stringify(json) : init.body,
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON (the storefront page, Swagger UI): keep the text
      }
      rememberAnswer(as, res.headers, body);
      return { status: res.status, body, headers: res.headers };
    },
    async close() {
      // The drains' singletons would outlive this file's task queue: end them first.
      await Promise.all(
        [...drains.keys()].map((d) =>
          client.workflow
            .getHandle(drainWorkflowId(d, drainSuffix))
            .terminate('test over')
            .catch(() => undefined),
        ),
      );
      if (worker?.getState() === 'RUNNING') worker.shutdown();
      await running;
      await workerConnection?.close();
      await Promise.all([...drains.values()].map((d) => d.close?.()));
      await app.close();
      await connection.close();
      await db.drop();
    },
  };
}
