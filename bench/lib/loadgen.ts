/**
 * The load generator, in its own process: open loop. Request i is due at start + i / rate and is
 * sent then, whether or not earlier ones have answered; its latency runs from that due time, so a
 * slow system (or a late generator) shows in the figures instead of slowing the load down.
 * Driven over IPC by bench/lib/stack.ts: `{ id, plan }` in, `{ id, result }` out.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import type { HttpRequestSpec, LoadPlan, LoadResult, LoadTarget } from './load-plan.js';

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
const connections = new Map<string, Client>();

async function temporal(address: string): Promise<Client> {
  let client = connections.get(address);
  if (!client) {
    client = new Client({ connection: await Connection.connect({ address }) });
    connections.set(address, client);
  }
  return client;
}

function httpCall(baseUrl: string, spec: HttpRequestSpec, timeoutMs: number): Promise<void> {
  const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
  const headers: Record<string, string> = { ...spec.headers };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (spec.idempotencyKey) headers['idempotency-key'] = randomUUID();
  return new Promise((resolve, reject) => {
    const req = http.request(`${baseUrl}${spec.path}`, { method: spec.method, headers, agent, timeout: timeoutMs });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () =>
        res.statusCode! < 300
          ? resolve()
          : reject(new Error(`${spec.method} ${spec.path}: ${res.statusCode} ${text.slice(0, 200)}`)),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function caller(target: LoadTarget, timeoutMs: number): Promise<(i: number) => Promise<unknown>> {
  switch (target.kind) {
    case 'http':
      return (i) => httpCall(target.baseUrl, target.requests[i % target.requests.length]!, timeoutMs);
    case 'update': {
      const client = await temporal(target.address);
      const handles = target.workflowIds.map((id) => client.workflow.getHandle(id));
      return (i) => handles[i % handles.length]!.executeUpdate(target.update, { args: [1] });
    }
    case 'start': {
      const client = await temporal(target.address);
      return async (i) => {
        const options = {
          taskQueue: target.taskQueue,
          workflowId: `bench-${randomUUID()}-${i}`,
          args: [...target.args],
        };
        if (target.waitResult) await client.workflow.execute(target.workflowType, options);
        else await client.workflow.start(target.workflowType, options);
      };
    }
  }
}

async function run(plan: LoadPlan): Promise<LoadResult> {
  const timeoutMs = plan.timeoutMs ?? 10_000;
  const call = await caller(plan.target, timeoutMs);
  const result: LoadResult = {
    rate: plan.rate,
    sent: 0,
    ok: 0,
    failed: 0,
    latencies: [],
    ...(plan.target.kind === 'http' && { latenciesBySpec: plan.target.requests.map(() => []) }),
    errors: [],
    elapsedMs: 0,
    maxInFlight: 0,
    maxSendLagMs: 0,
  };
  const interval = 1000 / plan.rate;
  const pending = new Set<Promise<void>>();
  const start = performance.now();
  let lastAnswer = start;
  const fire = (i: number, due: number) => {
    result.sent++;
    result.maxSendLagMs = Math.max(result.maxSendLagMs, performance.now() - due);
    const done = Promise.race([
      call(i),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs)),
    ]).then(
      () => {
        lastAnswer = performance.now();
        result.ok++;
        result.latencies.push(lastAnswer - due);
        result.latenciesBySpec?.[i % result.latenciesBySpec.length]!.push(lastAnswer - due);
      },
      (err: Error) => {
        lastAnswer = performance.now();
        result.failed++;
        if (result.errors.length < 5) result.errors.push(err.message.split('\n')[0]!);
      },
    );
    pending.add(done);
    result.maxInFlight = Math.max(result.maxInFlight, pending.size);
    void done.finally(() => pending.delete(done));
  };
  await new Promise<void>((resolve) => {
    let i = 0;
    const tick = () => {
      const now = performance.now();
      for (; i < plan.count && start + i * interval <= now; i++) fire(i, start + i * interval);
      if (i >= plan.count) return resolve();
      setTimeout(tick, Math.max(0, start + i * interval - performance.now()));
    };
    tick();
  });
  while (pending.size > 0) await Promise.all([...pending]);
  result.elapsedMs = lastAnswer - start;
  return result;
}

process.on('message', (message: { id: number; plan: LoadPlan }) => {
  run(message.plan).then(
    (result) => process.send!({ id: message.id, result }),
    (err: Error) => process.send!({ id: message.id, error: err.stack ?? err.message }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send!({ type: 'ready' });
