import path from 'node:path';
import type { OrderPolicy } from './contracts/order.contract.js';
import { historyBudgetProblems, RUN_EVENT_BUDGET } from './domain/history-budget.js';
import { devSecret, EnvReader, type Env } from './config-env.js';
import { readSecurity, type SecurityConfig } from './config-security.js';

/** Where `npm start` keeps embedded Postgres, Temporal's SQLite file and the dev admin token. */
export const defaultDataDir = '.data';
/** Port of the embedded Postgres of `npm start`: unusual, so a system Postgres on 5432 is left alone. */
export const defaultPostgresPort = 55432;
/** Port of the Kafka broker of `npm start`: unusual too, so a Kafka of your own on 9092 is left alone. */
export const defaultKafkaPort = 59092;

/** The database `npm start` runs when DATABASE_URL is unset; also what every process uses then. */
export function embeddedDatabaseUrl(env: Env = process.env): string {
  const port = /^\d+$/.test(env.POSTGRES_PORT ?? '') ? env.POSTGRES_PORT : String(defaultPostgresPort);
  return `postgresql://postgres:postgres@127.0.0.1:${port}/orchestrator`;
}

export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  host: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  dataDir: string;
  /** Postgres URL; `databaseUrlExplicit` is false when it is the embedded default. */
  databaseUrl: string;
  databaseUrlExplicit: boolean;
  /** Port of the embedded Postgres that `npm start` runs when DATABASE_URL is unset. */
  postgresPort: number;
  temporal: {
    address: string;
    /** False when the address is the default one `npm start` serves with its own dev server. */
    addressExplicit: boolean;
    /** Port of the dev server that `npm start` runs when TEMPORAL_ADDRESS is unset. */
    devServerPort: number;
    namespace: string;
    taskQueue: string;
    uiPort: number;
    uiUrl: string;
    cliPath: string | undefined;
    /**
     * SQLite pragmas of the dev server `npm start` runs (TEMPORAL_SQLITE_PRAGMAS, comma-separated
     * name=value; `default` for SQLite's own): WAL with synchronous=NORMAL by default.
     */
    sqlitePragmas: string[];
    /**
     * The SDK's per-promise stack traces in workflows (WORKFLOW_STACK_TRACES, off by default): what
     * the Web UI's "Stack Trace" tab shows, at a third of the worker's CPU per cart change
     * (src/worker/workflow-stack-traces.ts). On for a worker started to look at a stuck workflow.
     */
    workflowStackTraces: boolean;
  };
  /** ISO 4217 code of the one currency the shop sells in. */
  currency: string;
  /** Where customers reach this API (links in payment redirects and e-mails). */
  publicUrl: string;
  stripe: {
    /** With a secret key, payments go to Stripe; without one, to the simulated provider. */
    secretKey: string | undefined;
    publishableKey: string | undefined;
    /** With it, POST /webhooks/stripe verifies and applies Stripe's events. */
    webhookSecret: string | undefined;
    /** Another Stripe API base (stripe-mock, a test double); Stripe's own when unset. */
    apiBase: string | undefined;
  };
  /** How long the simulated provider's authorizations last (Stripe's card holds last about 7 days). */
  simulatedAuthorizationValidityMs: number;
  order: OrderPolicy;
  /**
   * How long a request that waits on a workflow (a cancel, a force-cancel) waits before it answers
   * with what is under way (202) rather than the outcome.
   */
  answerWithinMs: number;
  cart: {
    /** Idle this long, a cart sends its customer one reminder. */
    idleTimeoutMs: number;
    /** Idle this long, a cart closes as abandoned. */
    abandonAfterMs: number;
    /** A read re-prices a cart whose prices are older than this. */
    repriceAfterMs: number;
    /** A cart continues as new after this many updates in one run (Temporal's hard limit is 2,000). */
    maxUpdatesPerRun: number;
  };
  /** Customer e-mails: the notification outbox's sender (src/notifications/). */
  mail: {
    /** The SMTP server (SMTP_URL, smtp:// or smtps://); unset, messages wait in the outbox. */
    smtpUrl: string | undefined;
    /** From: of every message (MAIL_FROM); its domain names the Message-IDs. */
    from: string;
    /** Where operator alerts go (OPERATOR_EMAIL); unset, they are marked skipped, not mailed. */
    operatorEmail: string | undefined;
  };
  security: SecurityConfig;
  adminToken: string;
  /** True when the admin token was generated for development rather than configured. */
  adminTokenGenerated: boolean;
  metrics: {
    /** host:port of the worker's Prometheus endpoint (the SDK's exporter); undefined when turned off. */
    workerAddress: string | undefined;
    /** With it, the API's GET /metrics needs `Authorization: Bearer <token>`; without it, it is open. */
    token: string | undefined;
  };
  /** The journal's events on Kafka (src/events/kafka-relay.ts). */
  kafka: {
    /** False with KAFKA=off: `npm start` runs no broker and the worker publishes nothing. */
    enabled: boolean;
    /** KAFKA_BROKERS (host:port,...): where the relay publishes; unset, no relay (`npm start` runs a broker and sets it). */
    brokers: string[] | undefined;
    /** Port of the broker `npm start` runs when KAFKA_BROKERS is unset. */
    brokerPort: number;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const checkPostgresUrl = (value: string): string | undefined => {
  try {
    const url = new URL(value);
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return 'must be a postgresql:// URL';
    if (!url.hostname) return 'must name a host';
  } catch {
    return 'must be a URL such as postgresql://user:password@host:5432/db';
  }
  return undefined;
};

const checkHostPort = (value: string): string | undefined =>
  /^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/.test(value) ? undefined : 'must be host:port, e.g. 127.0.0.1:7233';

/** Write-ahead log, fsync at checkpoints: see README "Configuration" for the durability trade-off. */
export const DEFAULT_SQLITE_PRAGMAS = 'journal_mode=wal,synchronous=normal';
const PRAGMA = /^[a-z_]+=[A-Za-z0-9_-]+$/;
export const sqlitePragmas = (v: string) => (v === 'default' ? [] : v.split(',').map((p) => p.trim()));
const checkPragmas = (v: string) =>
  sqlitePragmas(v).every((p) => PRAGMA.test(p)) ? undefined : 'must be name=value pairs, comma-separated, or default';

/** One address, bare or as `Name <address>`: a list or a header break would mail someone else. */
const checkMailbox = (value: string): string | undefined =>
  /^(?:[^<>\r\n,;"]*<[^\s@<>,;"]+@[^\s@<>,;"]+>|[^\s@<>,;"]+@[^\s@<>,;"]+)$/.test(value)
    ? undefined
    : 'must be one e-mail address, e.g. orders@shop.example or Shop <orders@shop.example>';

/** Parses the environment once, against the rules above; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const r = new EnvReader(env);
  const nodeEnv = r.oneOf('NODE_ENV', 'development', ['development', 'production', 'test'] as const);
  const dataDir = path.resolve(r.string('DATA_DIR', defaultDataDir));
  const port = r.integer('PORT', 3000, 0, 65535);
  const postgresPort = r.integer('POSTGRES_PORT', defaultPostgresPort, 1, 65535);
  const devServerPort = r.integer('TEMPORAL_PORT', 7233, 1, 65535);
  const temporalAddress = r.string('TEMPORAL_ADDRESS', `127.0.0.1:${devServerPort}`, checkHostPort);
  const uiPort = r.integer('TEMPORAL_UI_PORT', 8233, 1, 65535);

  let adminToken = r.raw('ADMIN_TOKEN');
  let adminTokenGenerated = false;
  if (adminToken !== undefined && adminToken.length < 16) {
    r.problems.push('ADMIN_TOKEN: must be at least 16 characters (use a long random value)');
  } else if (adminToken === undefined) {
    if (nodeEnv === 'production') r.problems.push('ADMIN_TOKEN: is required when NODE_ENV=production');
    else {
      adminToken = devSecret(dataDir, 'admin-token', 'dev_');
      adminTokenGenerated = true;
    }
  }

  const config: Config = {
    nodeEnv,
    host: r.string('HOST', '127.0.0.1'),
    port,
    logLevel: r.oneOf('LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
    dataDir,
    databaseUrl: r.string('DATABASE_URL', embeddedDatabaseUrl(env), checkPostgresUrl),
    databaseUrlExplicit: r.raw('DATABASE_URL') !== undefined,
    postgresPort,
    temporal: {
      address: temporalAddress,
      addressExplicit: r.raw('TEMPORAL_ADDRESS') !== undefined,
      devServerPort,
      namespace: r.string('TEMPORAL_NAMESPACE', 'default', (v) =>
        /^[A-Za-z0-9._-]{2,255}$/.test(v) ? undefined : 'must be a Temporal namespace name',
      ),
      taskQueue: r.string('TASK_QUEUE', 'orders', (v) => (v.length <= 200 ? undefined : 'is too long')),
      uiPort,
      uiUrl: r.string('TEMPORAL_UI_URL', `http://localhost:${uiPort}`),
      cliPath: r.raw('TEMPORAL_CLI_PATH'),
      sqlitePragmas: sqlitePragmas(r.string('TEMPORAL_SQLITE_PRAGMAS', DEFAULT_SQLITE_PRAGMAS, checkPragmas)),
      workflowStackTraces: r.oneOf('WORKFLOW_STACK_TRACES', 'off', ['on', 'off'] as const) === 'on',
    },
    currency: r.string('CURRENCY', 'USD', (v) =>
      /^[A-Z]{3}$/.test(v) ? undefined : 'must be an ISO 4217 code such as USD',
    ),
    publicUrl: r.string('PUBLIC_URL', `http://localhost:${port}`, (v) =>
      /^https?:\/\/[^/]+$/.test(v) ? undefined : 'must be an origin such as https://shop.example.com (no path)',
    ),
    order: {
      paymentTimeoutMs: r.duration('PAYMENT_TIMEOUT', '30m'),
      paymentActionTimeoutMs: r.duration('PAYMENT_ACTION_TIMEOUT', '15m'),
      unpaidHoldMs: r.duration('UNPAID_HOLD_TIMEOUT', '10m', (ms) => (ms >= 1_000 ? undefined : 'must be at least 1s')),
      maxPaymentAttempts: r.integer('MAX_PAYMENT_ATTEMPTS', 3, 1, 10),
      backorderRetryIntervalMs: r.duration('BACKORDER_RETRY_INTERVAL', '1h'),
      maxBackorderWaitMs: r.duration('MAX_BACKORDER_WAIT', '7d'),
      pickingMs: r.duration('PICKING_DURATION', '2h'),
      shippingMs: r.duration('SHIPPING_DURATION', '2d'),
      returnWindowMs: r.duration('RETURN_WINDOW', '30d'),
      restockStepMs: r.duration('RESTOCK_STEP_DURATION', '4h'),
      reauthorizeBeforeMs: r.duration('REAUTHORIZE_BEFORE', '1d'),
      refundCheckIntervalMs: r.duration('REFUND_CHECK_INTERVAL', '1h'),
      paymentCheckIntervalMs: r.duration('PAYMENT_CHECK_INTERVAL', '1m'),
      // Stripe forgets idempotency keys after 24 hours: a step's retries must end well before.
      paymentStepTimeoutMs: r.duration('PAYMENT_STEP_TIMEOUT', '12h', (ms) =>
        ms <= 20 * 3_600_000 ? undefined : 'must be at most 20h (Stripe forgets idempotency keys after 24h)',
      ),
      stepAlertAfterMs: r.duration('STEP_ALERT_AFTER', '5m', (ms) => (ms >= 1_000 ? undefined : 'must be at least 1s')),
      historyEventsPerRun: r.integer('HISTORY_EVENTS_PER_RUN', 2_000, 200, RUN_EVENT_BUDGET),
    },
    answerWithinMs: r.duration('ANSWER_WITHIN', '5s', (ms) =>
      ms >= 100 && ms <= 60_000 ? undefined : 'must be from 100ms to 60s',
    ),
    stripe: {
      secretKey: r.optional('STRIPE_SECRET_KEY', (v) =>
        /^(sk|rk)_(test|live)_\S+$/.test(v) ? undefined : 'must be a Stripe secret key (sk_test_... or sk_live_...)',
      ),
      publishableKey: r.optional('STRIPE_PUBLISHABLE_KEY', (v) =>
        /^pk_(test|live)_\S+$/.test(v) ? undefined : 'must be a Stripe publishable key (pk_test_...)',
      ),
      webhookSecret: r.optional('STRIPE_WEBHOOK_SECRET', (v) =>
        /^whsec_\S+$/.test(v) ? undefined : 'must be a webhook signing secret (whsec_...)',
      ),
      apiBase: r.optional('STRIPE_API_BASE', (v) =>
        /^https?:\/\/[^/]+$/.test(v) ? undefined : 'must be an origin such as http://localhost:12111',
      ),
    },
    simulatedAuthorizationValidityMs: r.duration('SIMULATED_AUTHORIZATION_VALIDITY', '7d'),
    cart: {
      idleTimeoutMs: r.duration('CART_IDLE_TIMEOUT', '24h'),
      abandonAfterMs: r.duration('CART_ABANDON_AFTER', '7d'),
      repriceAfterMs: r.duration('CART_REPRICE_AFTER', '15m'),
      maxUpdatesPerRun: r.integer('CART_MAX_UPDATES_PER_RUN', 250, 1, 1_500),
    },
    mail: {
      smtpUrl: r.optional('SMTP_URL', (v) =>
        /^smtps?:\/\/[^/\s]+\/?$/.test(v)
          ? undefined
          : 'must be an smtp:// or smtps:// URL such as smtp://user:pass@host:587',
      ),
      from: r.string('MAIL_FROM', 'Shop <orders@shop.localhost>', checkMailbox),
      operatorEmail: r.optional('OPERATOR_EMAIL', (v) => checkMailbox(v)),
    },
    security: readSecurity(
      r,
      nodeEnv === 'production',
      dataDir,
      r.raw('TEMPORAL_UI_URL') ?? `http://localhost:${uiPort}`,
    ),
    adminToken: adminToken ?? '',
    adminTokenGenerated,
    metrics: {
      workerAddress: /^off$/i.test(r.raw('WORKER_METRICS_ADDRESS') ?? '')
        ? undefined
        : r.string('WORKER_METRICS_ADDRESS', '127.0.0.1:9464', checkHostPort),
      token: r.optional('METRICS_TOKEN', (v) => (v.length >= 16 ? undefined : 'must be at least 16 characters')),
    },
    kafka: {
      enabled: r.oneOf('KAFKA', 'on', ['on', 'off'] as const) === 'on',
      brokers: r
        .optional('KAFKA_BROKERS', (v) =>
          v.split(',').every((b) => checkHostPort(b.trim()) === undefined)
            ? undefined
            : 'must be host:port, or several separated by commas, e.g. 127.0.0.1:9092',
        )
        ?.split(',')
        .map((b) => b.trim()),
      brokerPort: r.integer('KAFKA_PORT', defaultKafkaPort, 1, 65535),
    },
  };
  // Durations that could grow one workflow run past Temporal's warning are refused, not discovered.
  r.problems.push(
    ...historyBudgetProblems({
      ...config.order,
      paymentCheckIntervalMs: config.order.paymentCheckIntervalMs ?? 60_000,
      cartMaxUpdatesPerRun: config.cart.maxUpdatesPerRun,
    }),
  );
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}

/** loadConfig for process entry points: prints the problems and exits instead of throwing. */
export function loadConfigOrExit(env: Env = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}
