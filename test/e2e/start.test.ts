/**
 * `npm start` as a user runs it: embedded Postgres and Temporal dev server, worker and API as
 * supervised processes. Ctrl-C is a SIGINT to the whole process group, as a terminal sends it.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { freePort } from '../../src/dev/ports.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'npm-start-'));
chmodSync(dataDir, 0o755); // embedded Postgres runs as its own user where tests run as root

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

let ports: { api: number; pg: number; temporal: number; ui: number; kafka: number };
let running: Started | undefined;

function groupMembers(pgid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '-g', String(pgid)], { encoding: 'utf8' })
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((pid) => pid > 0);
  } catch {
    return []; // ps exits 1 when the group is empty
  }
}

/** A process's command line, or '' once it is gone. */
function args(pid: number): string {
  try {
    return execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

async function start(): Promise<Started> {
  let out = '';
  const child = spawn('npm', ['start'], {
    detached: true, // its own process group, like a terminal session
    env: {
      ...process.env,
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      PORT: String(ports.api),
      POSTGRES_PORT: String(ports.pg),
      TEMPORAL_PORT: String(ports.temporal),
      TEMPORAL_UI_PORT: String(ports.ui),
      KAFKA_PORT: String(ports.kafka),
      KAFKA_BROKERS: '',
      KAFKA: '',
      TEMPORAL_CLI_PATH: inject('temporalCliPath'),
      DATABASE_URL: '',
      TEMPORAL_ADDRESS: '',
      ADMIN_TOKEN: '',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  for (let i = 0; i < 600 && !out.includes('Ctrl-C stops everything'); i++) {
    if (child.exitCode !== null) break;
    await sleep(200);
  }
  expect(out, out).toContain('Ctrl-C stops everything');
  return { child, output: () => out, exited };
}

/**
 * Ctrl-C is SIGINT to the whole group, as a terminal sends it; `kill <pid>` (systemd, docker stop)
 * is SIGTERM to npm's process alone. Either way nothing of the group may be left.
 */
async function stop(started: Started, how: 'ctrl-c' | 'kill' = 'ctrl-c'): Promise<void> {
  const pgid = started.child.pid!;
  if (how === 'ctrl-c') process.kill(-pgid, 'SIGINT');
  else process.kill(pgid, 'SIGTERM');
  await started.exited;
  for (let i = 0; i < 100 && groupMembers(pgid).length > 0; i++) await sleep(100);
  expect(groupMembers(pgid), started.output()).toEqual([]);
}

const api = (p: string, init?: RequestInit) => fetch(`http://127.0.0.1:${ports.api}${p}`, init);

afterAll(async () => {
  if (running?.child.pid && groupMembers(running.child.pid).length > 0) process.kill(-running.child.pid, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start', () => {
  let productId: string;
  let importStatusUrl: string;
  let adminToken: string;

  it('brings up everything, prints the URLs and the admin token, and serves the catalog', async () => {
    ports = {
      api: await freePort(),
      pg: await freePort(),
      temporal: await freePort(),
      ui: await freePort(),
      kafka: await freePort(),
    };
    running = await start();
    const out = running.output();
    expect(out).toContain(`Storefront        http://localhost:${ports.api}/`);
    expect(out).toContain(`API docs          http://localhost:${ports.api}/docs`);
    expect(out).toContain(`Temporal Web UI   http://localhost:${ports.ui}`);
    expect(out).toContain(`Kafka             127.0.0.1:${ports.kafka}   (topic shop.order-events)`);
    adminToken = /Admin token\s+(\S+)/.exec(out)![1]!;
    expect(adminToken.length).toBeGreaterThanOrEqual(16);
    expect(out).toMatch(/seeded the catalog with \d+ products/);

    const res = await api('/api/products?sort=-price&inStock=true&limit=5');
    const { items } = (await res.json()) as { items: { priceCents: number; available: number }[] };
    expect(items).toHaveLength(5);
    expect(items.every((i) => i.available > 0)).toBe(true);
    expect(items.map((i) => i.priceCents)).toEqual([...items.map((i) => i.priceCents)].sort((a, b) => b - a));

    expect((await fetch(`http://127.0.0.1:${ports.ui}/`)).status).toBe(200);
    expect((await api('/readyz')).status).toBe(200);
  });

  it('follows a placed order into the analytics, onto the Kafka topic and into the mail inbox', async () => {
    const out = running!.output();
    const inbox = /Mail inbox\s+(http\S+)/.exec(out)?.[1];
    expect(inbox, out).toBeDefined();
    const auth = { authorization: `Bearer ${adminToken}` };
    const [product] = ((await (await api('/api/products?inStock=true&limit=1')).json()) as { items: { id: string }[] })
      .items;
    const email = `start-${Date.now()}@example.com`;
    const placed = await api('/api/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        lines: [{ productId: product!.id, quantity: 1 }],
        email,
        paymentMethod: 'pm_card_visa',
        shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Town', postalCode: '12345', country: 'US' },
      }),
    });
    expect(placed.status).toBe(202);
    const { orderId } = (await placed.json()) as { orderId: string };
    const eventually = async <T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean) => {
      let last: T | undefined;
      for (let i = 0; i < 150; i++) {
        last = await probe().catch(() => undefined as T);
        if (last !== undefined && ok(last)) return last;
        await sleep(200);
      }
      throw new Error(`${what}: ${JSON.stringify(last)}`);
    };
    const today = new Date().toISOString().slice(0, 10);
    await eventually(
      'the funnel counts the order placed and paid',
      async () => (await (await api(`/api/analytics/funnel?from=${today}`, { headers: auth })).json()) as any,
      (b) => b.days?.at(-1)?.placed >= 1 && b.days.at(-1).paid >= 1,
    );
    const mail = await eventually(
      'the confirmation in the inbox',
      async () => (await (await fetch(`${inbox}api/v1/search?query=to:${encodeURIComponent(email)}`)).json()) as any,
      (b) => b.messages?.length >= 1,
    );
    expect(mail.messages[0].Subject).toMatch(/order/i);
    const status = await eventually(
      'the Kafka relay caught up',
      async () => (await (await api('/api/analytics/status', { headers: auth })).json()) as any,
      (b) => b.drains?.some((d: any) => d.name === 'kafka-relay' && d.lagEvents === 0 && d.eventsApplied >= 2),
    );
    const kafka = new Kafka({
      clientId: 'start-test',
      brokers: [`127.0.0.1:${ports.kafka}`],
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets('shop.order-events');
      expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBeGreaterThanOrEqual(2);
    } finally {
      await admin.disconnect();
    }
    expect(status.journal.events).toBeGreaterThanOrEqual(2);
    expect(orderId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps the API up when the worker crashes, and restarts the worker', async () => {
    const worker = groupMembers(running!.child.pid!).find((pid) => args(pid).includes('src/worker.ts'));
    expect(worker).toBeDefined();
    process.kill(worker!, 'SIGKILL');
    expect((await api('/healthz')).status).toBe(200);
    for (let i = 0; i < 100 && !running!.output().includes('worker exited'); i++) await sleep(100);
    expect(running!.output()).toMatch(/worker exited \(SIGKILL\); restarting/);

    // Work submitted now is done once the restarted worker is up: the pipe is whole again.
    const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
    const created = await api('/api/admin/products', {
      method: 'POST',
      headers,
      body: JSON.stringify({
        sku: 'E2E-KEEP-1',
        name: 'Kept Across Restarts',
        priceCents: 1234,
        category: 'home',
        vendorId: ((await (await api('/api/catalog/facets')).json()) as any).vendors[0].id,
        inventory: { onHand: 10, restockThreshold: 0, restockQuantity: 0 },
      }),
    });
    expect(created.status).toBe(201);
    productId = ((await created.json()) as { id: string }).id;
    const started = await api('/api/admin/imports', {
      method: 'POST',
      headers,
      body: JSON.stringify({ rows: [{ sku: 'E2E-KEEP-1', priceCents: 999 }] }),
    });
    importStatusUrl = ((await started.json()) as { statusUrl: string }).statusUrl;
    let status = '';
    for (let i = 0; i < 300 && status !== 'completed'; i++) {
      status = ((await (await api(importStatusUrl, { headers })).json()) as { status: string }).status;
      if (status !== 'completed') await sleep(200);
    }
    expect(status).toBe('completed');
  });

  /** Polls until `ok` holds, or fails with what was last seen and the supervisor's output. */
  async function eventually<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    let last: T | undefined;
    while (Date.now() < deadline) {
      last = await probe().catch(() => undefined as T);
      if (last !== undefined && ok(last)) return last;
      await sleep(250);
    }
    throw new Error(`${what}: last seen ${JSON.stringify(last)}\n${running!.output().slice(-3000)}`);
  }

  /** An order for one unit of the product kept across restarts reaches picking: API, worker, database and Temporal all work. */
  async function anOrderGoesThrough() {
    const placed = await eventually(
      'an order is accepted',
      async () =>
        api('/api/orders', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            lines: [{ productId, quantity: 1 }],
            email: 'e2e@example.com',
            shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'London', postalCode: 'N1', country: 'GB' },
            paymentMethod: 'pm_card_visa',
          }),
        }).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as { orderId?: string; accessToken?: string },
        })),
      (r) => r.status === 202,
    );
    const token = { 'x-order-token': placed.body.accessToken! };
    await eventually(
      'the order reaches picking',
      async () =>
        ((await (await api(`/api/orders/${placed.body.orderId}`, { headers: token })).json()) as { status: string })
          .status,
      (status) => status === 'picking',
    );
  }

  it('restarts PostgreSQL killed with kill -9, on its data; the API and the worker reconnect', async () => {
    const pid = Number(readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 'SIGKILL');
    await eventually(
      'PostgreSQL is restarted',
      async () => running!.output(),
      (out) => out.includes('PostgreSQL is back'),
    );
    expect(running!.output()).toMatch(/PostgreSQL exited \(SIGKILL\); restarting in 1s/);
    await eventually(
      'the kept product is read again',
      async () => (await api(`/api/products/${productId}`)).status,
      (s) => s === 200,
    );
    await anOrderGoesThrough();
  }, 120_000);

  it('restarts the Temporal dev server killed with kill -9, with its workflows; the worker and the API reconnect', async () => {
    const pid = Number(readFileSync(path.join(dataDir, 'temporal.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    await eventually(
      'Temporal is restarted',
      async () => running!.output(),
      (out) => out.includes('Temporal dev server is back'),
    );
    expect(running!.output()).toMatch(/Temporal dev server exited \(SIGKILL\); restarting in 1s/);
    const headers = { authorization: `Bearer ${adminToken}` };
    await eventually(
      'the import finished before the kill is still there',
      async () => ((await (await api(importStatusUrl, { headers })).json()) as { status: string }).status,
      (status) => status === 'completed',
    );
    await anOrderGoesThrough();
  }, 120_000);

  it('stops everything on Ctrl-C, leaving no process behind', async () => {
    await stop(running!);
    expect(running!.output()).toContain('[start] PostgreSQL stopped');
  });

  it('keeps all data across a restart: catalog changes and workflow history', async () => {
    running = await start();
    expect(running.output()).toMatch(/catalog has \d+ products/);
    expect(running.output()).toContain(`Admin token       ${adminToken}`);
    const product = (await (await api(`/api/products/${productId}`)).json()) as { priceCents: number };
    expect(product.priceCents).toBe(999);
    const progress = await api(importStatusUrl, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(progress.status).toBe(200);
    expect(((await progress.json()) as { status: string }).status).toBe('completed');
  });

  it('recovers from a supervisor killed with kill -9: children follow it, the next start clears leftovers', async () => {
    const supervisor = groupMembers(running!.child.pid!).find((pid) => /^node .*src\/cli\/start\.ts/.test(args(pid)));
    expect(supervisor).toBeDefined();
    process.kill(supervisor!, 'SIGKILL');
    const isNodeChild = (pid: number) => /src\/(worker|api\/server)\.ts/.test(args(pid));
    // API and worker notice the lost IPC channel and exit; the servers outlive it (they cannot know).
    for (let i = 0; i < 100 && groupMembers(running!.child.pid!).some(isNodeChild); i++) await sleep(100);
    expect(groupMembers(running!.child.pid!).filter(isNodeChild)).toEqual([]);
    const leftovers = groupMembers(running!.child.pid!);

    running = await start();
    expect((await api(`/api/products/${productId}`)).status).toBe(200);
    for (const pid of leftovers) expect(() => process.kill(pid, 0), `leftover ${pid} still alive`).toThrow();
    await stop(running, 'kill');
    expect(running.output()).toContain('[start] PostgreSQL stopped');
  });
});
