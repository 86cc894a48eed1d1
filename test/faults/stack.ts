/**
 * The fault suite's system under test: `npm start` as a user runs it (embedded PostgreSQL, a
 * Temporal dev server, the worker and the API under the supervisor), in a data directory of its
 * own, with durations short enough that an order ends in seconds. Its processes can be found, and
 * killed or stopped, one at a time.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPrisma, type PrismaClient } from '../../src/db/prisma.js';
import { freePort } from '../../src/dev/ports.js';
import { unlimited } from '../helpers/limits.js';

/** Every stage of an order in about a second; carts idle out in seconds. */
export const FAULT_DURATIONS: Record<string, string> = {
  PAYMENT_TIMEOUT: '2m',
  PAYMENT_ACTION_TIMEOUT: '1m',
  BACKORDER_RETRY_INTERVAL: '2s',
  MAX_BACKORDER_WAIT: '25s',
  PICKING_DURATION: '1s',
  SHIPPING_DURATION: '1s',
  RETURN_WINDOW: '2s',
  RESTOCK_STEP_DURATION: '1s',
  CART_IDLE_TIMEOUT: '8s',
  CART_ABANDON_AFTER: '20s',
  ANSWER_WITHIN: '5s',
};

export type Part = 'worker' | 'api' | 'postgres' | 'temporal';

export class Stack {
  private child: ChildProcess | undefined;
  private out = '';
  readonly dataDir = mkdtempSync(path.join(tmpdir(), 'faults-'));
  ports!: { api: number; pg: number; temporal: number; ui: number; kafka: number };
  adminToken = '';
  prisma!: PrismaClient;

  constructor() {
    chmodSync(this.dataDir, 0o755); // embedded PostgreSQL runs as its own user where tests run as root
  }

  get url() {
    return `http://127.0.0.1:${this.ports.api}`;
  }

  output() {
    return this.out;
  }

  /** Starts (or starts again, on the same data) and waits until it prints its URLs. */
  async start(): Promise<void> {
    this.ports ??= {
      api: await freePort(),
      pg: await freePort(),
      temporal: await freePort(),
      ui: await freePort(),
      kafka: await freePort(),
    };
    const mark = this.out.length;
    this.child = spawn('npm', ['start'], {
      detached: true, // its own process group, as a terminal session
      env: {
        ...process.env,
        NODE_ENV: 'development',
        DATA_DIR: this.dataDir,
        PORT: String(this.ports.api),
        POSTGRES_PORT: String(this.ports.pg),
        TEMPORAL_PORT: String(this.ports.temporal),
        TEMPORAL_UI_PORT: String(this.ports.ui),
        KAFKA_PORT: String(this.ports.kafka),
        KAFKA_BROKERS: '',
        KAFKA: '',
        DATABASE_URL: '',
        TEMPORAL_ADDRESS: '',
        ADMIN_TOKEN: '',
        LOG_LEVEL: 'warn',
        WORKER_METRICS_ADDRESS: 'off',
        // One address sends every shopper's load here.
        ...unlimited,
        ...FAULT_DURATIONS,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (d) => (this.out += d));
    this.child.stderr!.on('data', (d) => (this.out += d));
    for (let i = 0; i < 900 && !this.out.slice(mark).includes('Ctrl-C stops everything'); i++) {
      if (this.child.exitCode !== null) break;
      await sleep(200);
    }
    if (!this.out.slice(mark).includes('Ctrl-C stops everything'))
      throw new Error(`npm start did not come up:\n${this.out.slice(-4000)}`);
    this.adminToken = /Admin token\s+(\S+)/.exec(this.out.slice(mark))![1]!;
    this.prisma ??= createPrisma(`postgresql://postgres:postgres@127.0.0.1:${this.ports.pg}/orchestrator`, 4);
  }

  /** Stops it as `kill <pid>` does (SIGTERM to npm), and waits until nothing of it is left. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    const exited = new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    process.kill(child.pid, 'SIGTERM');
    await exited;
    for (let i = 0; i < 150 && this.members().length > 0; i++) await sleep(100);
    for (const pid of this.members()) process.kill(pid, 'SIGKILL');
  }

  async destroy(): Promise<void> {
    await this.prisma?.$disconnect();
    if (this.child?.pid) for (const pid of this.members()) process.kill(pid, 'SIGKILL');
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** The pid of one of the four parts, as it is now. */
  pid(part: Part): number {
    if (part === 'postgres')
      return Number(readFileSync(path.join(this.dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (part === 'temporal') return Number(readFileSync(path.join(this.dataDir, 'temporal.pid'), 'utf8'));
    const pattern = part === 'worker' ? 'src/worker.ts' : 'src/api/server.ts';
    const found = this.members().find((pid) => this.args(pid).includes(pattern));
    if (!found) throw new Error(`no ${part} process running:\n${this.out.slice(-2000)}`);
    return found;
  }

  /** Sends a signal to a part (SIGKILL: kill -9; SIGSTOP/SIGCONT: a hung process). */
  signal(part: Part, signal: NodeJS.Signals): number {
    const pid = this.pid(part);
    process.kill(pid, signal);
    return pid;
  }

  /** Waits until the supervisor's output after `mark` contains `text`. */
  async waitForOutput(text: string, mark: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.out.slice(mark).includes(text)) {
      if (Date.now() > deadline) throw new Error(`never saw "${text}":\n${this.out.slice(-3000)}`);
      await sleep(200);
    }
  }

  private members(): number[] {
    try {
      return execFileSync('ps', ['-o', 'pid=', '-g', String(this.child!.pid)], { encoding: 'utf8' })
        .split('\n')
        .map((l) => Number(l.trim()))
        .filter((pid) => pid > 0);
    } catch {
      return [];
    }
  }

  private args(pid: number): string {
    try {
      return execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  }
}
