/**
 * The development broker (src/dev/kafka-broker.ts): a real one-node KRaft Kafka that starts in
 * seconds, keeps its topics across a restart, stops cleanly, and never outlives the process that
 * started it, even one killed with SIGKILL.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureKafka, startKafkaBroker } from '../../src/dev/kafka-broker.js';
import { freePort } from '../../src/dev/ports.js';
import { isAlive } from '../../src/dev/processes.js';

let root: string;
beforeAll(async () => {
  await ensureKafka((line) => console.log(line));
  root = await mkdtemp(path.join(tmpdir(), 'kafka-broker-test-'));
  await chmod(root, 0o755);
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

const brokerPid = (dir: string) => Number(readFileSync(path.join(dir, 'kafka.pid'), 'utf8'));

async function waitUntilGone(pid: number, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(100)) if (!isAlive(pid)) return true;
  return !isAlive(pid);
}

describe('development Kafka broker', () => {
  it('starts on the port asked for, keeps its topics across a restart, and stops cleanly', async () => {
    const dir = path.join(root, 'restart');
    const port = await freePort();
    const started = Date.now();
    let broker = await startKafkaBroker({ dir, port });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(broker.brokers).toBe(`127.0.0.1:${port}`);
    const kafka = new Kafka({ clientId: 'test', brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'kept', numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();

    const pid = brokerPid(dir);
    await broker.stop();
    expect(await broker.exited).not.toBe('SIGKILL'); // shut down on SIGTERM, not killed
    expect(isAlive(pid)).toBe(false);

    broker = await startKafkaBroker({ dir, port });
    try {
      const again = kafka.admin();
      await again.connect();
      expect(await again.listTopics()).toContain('kept');
      await again.disconnect();
    } finally {
      await broker.stop();
    }
  });

  it('does not outlive the process that started it, even when that one is killed with SIGKILL', async () => {
    const dir = path.join(root, 'orphan');
    let output = '';
    const parent = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/kafka-broker-process.ts'], {
      env: { ...process.env, KAFKA_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    parent.stdout.on('data', (d) => (output += d));
    parent.stderr.on('data', (d) => (output += d));
    const exited = new Promise((resolve) => parent.once('exit', resolve));
    try {
      for (let i = 0; i < 300 && !output.includes('ready'); i++) await sleep(100);
      expect(output).toContain('ready 127.0.0.1:');
      const pid = brokerPid(dir);
      expect(isAlive(pid)).toBe(true);
      parent.kill('SIGKILL');
      await exited;
      expect(await waitUntilGone(pid, 15_000)).toBe(true);
    } finally {
      if (parent.exitCode === null && parent.signalCode === null) parent.kill('SIGKILL');
    }
  });
});
