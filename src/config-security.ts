/** Who may do what, and how often: sessions, order access tokens, browser rules, abuse limits. */
import { type CodecKey, parseCodecKeys } from './codec/encryption-codec.js';
import { devSecret, type EnvReader } from './config-env.js';

/** One rate limit: at most `max` requests per `windowMs`, counted per IP and per session/customer. */
export interface RateLimit {
  perIp: number;
  perShopper: number;
}

export interface SecurityConfig {
  /** Signs the session cookie (SESSION_SECRET). */
  sessionSecret: string;
  /** Keys the order access tokens (ORDER_TOKEN_SECRET): rotating it invalidates every tracking link. */
  orderTokenSecret: string;
  /** Encrypt Temporal payloads (PAYLOAD_KEYS): the first key encrypts, every key decrypts. */
  payloadKeys: CodecKey[];
  /** Keys the e-mail hash operators search orders by (EMAIL_HASH_SECRET), so no address is a search attribute. */
  emailHashSecret: string;
  /** Origins of the Temporal Web UI allowed to call the codec endpoint with an operator's cookie. */
  codecOrigins: string[];
  sessionTtlMs: number;
  /** `auto`: Secure when the request came over https (behind a proxy: set TRUST_PROXY). */
  cookieSecure: 'auto' | 'true' | 'false';
  trustProxy: boolean;
  /** Origins allowed to call the API from a browser; empty: the storefront's own origin only. */
  corsOrigins: string[];
  rateLimitWindowMs: number;
  rateLimits: { signIn: RateLimit; carts: RateLimit; orders: RateLimit; payments: RateLimit };
  caps: {
    unitsPerLine: number;
    linesPerOrder: number;
    /** Units of one product one customer (or e-mail address) may order in 24 hours. */
    unitsPerProductPerDay: number;
  };
}

const checkSecret = (v: string) =>
  v.length >= 32 ? undefined : 'must be at least 32 characters (a long random value)';

function secret(r: EnvReader, name: string, file: string, production: boolean, dataDir: string): string {
  const value = r.optional(name, checkSecret);
  if (value !== undefined) return value;
  if (production) r.problems.push(`${name}: is required when NODE_ENV=production`);
  return devSecret(dataDir, file);
}

function limit(r: EnvReader, name: string, perIp: number, perShopper: number): RateLimit {
  return {
    perIp: r.integer(`RATE_LIMIT_${name}_PER_IP`, perIp, 1, 1_000_000),
    perShopper: r.integer(`RATE_LIMIT_${name}_PER_SHOPPER`, perShopper, 1, 1_000_000),
  };
}

function origins(r: EnvReader, name: string, fallback: string[] = []): string[] {
  const raw = r.raw(name);
  if (raw === undefined) return fallback;
  const list = raw
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  for (const origin of list)
    if (!/^https?:\/\/[^/\s]+$/.test(origin))
      r.problems.push(`${name}: "${origin}" is not an origin such as https://shop.example.com`);
  return list;
}

function payloadKeys(r: EnvReader, production: boolean, dataDir: string): CodecKey[] {
  const configured = r.raw('PAYLOAD_KEYS');
  if (configured === undefined && production) r.problems.push('PAYLOAD_KEYS: is required when NODE_ENV=production');
  const { keys, problem } = parseCodecKeys(configured ?? devSecret(dataDir, 'payload-keys', 'dev1:'));
  if (problem) r.problems.push(`PAYLOAD_KEYS: ${problem} (the form is id:base64key,... with 32-byte keys)`);
  return keys;
}

export function readSecurity(
  r: EnvReader,
  production: boolean,
  dataDir: string,
  temporalUiUrl: string,
): SecurityConfig {
  const uiOrigin = URL.canParse(temporalUiUrl) ? new URL(temporalUiUrl).origin : undefined;
  const uiOrigins = uiOrigin ? [uiOrigin, uiOrigin.replace('//localhost:', '//127.0.0.1:')] : [];
  return {
    sessionSecret: secret(r, 'SESSION_SECRET', 'session-secret', production, dataDir),
    orderTokenSecret: secret(r, 'ORDER_TOKEN_SECRET', 'order-token-secret', production, dataDir),
    payloadKeys: payloadKeys(r, production, dataDir),
    emailHashSecret: secret(r, 'EMAIL_HASH_SECRET', 'email-hash-secret', production, dataDir),
    codecOrigins: [...new Set(origins(r, 'CODEC_CORS_ORIGINS', uiOrigins))],
    sessionTtlMs: r.duration('SESSION_TTL', '30d', (ms) => (ms >= 60_000 ? undefined : 'must be at least 1m')),
    cookieSecure: r.oneOf('COOKIE_SECURE', 'auto', ['auto', 'true', 'false'] as const),
    trustProxy: r.oneOf('TRUST_PROXY', 'false', ['true', 'false'] as const) === 'true',
    corsOrigins: origins(r, 'CORS_ORIGINS'),
    rateLimitWindowMs: r.duration('RATE_LIMIT_WINDOW', '1m', (ms) => (ms >= 1_000 ? undefined : 'must be at least 1s')),
    rateLimits: {
      signIn: limit(r, 'SIGN_IN', 30, 10),
      carts: limit(r, 'CARTS', 600, 120),
      orders: limit(r, 'ORDERS', 60, 10),
      payments: limit(r, 'PAYMENTS', 60, 10),
    },
    caps: {
      unitsPerLine: r.integer('MAX_UNITS_PER_LINE', 99, 1, 99),
      linesPerOrder: r.integer('MAX_LINES_PER_ORDER', 50, 1, 200),
      unitsPerProductPerDay: r.integer('MAX_UNITS_PER_PRODUCT_PER_DAY', 100, 1, 10_000),
    },
  };
}
