/** Reading the environment: every problem collected, so a bad setup is reported whole. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseDuration } from './domain/duration.js';

export type Env = Record<string, string | undefined>;

/** Reads one variable at a time and collects every problem, so a bad setup is reported whole. */
export class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string, check?: (v: string) => string | undefined): string {
    const value = this.raw(name) ?? fallback;
    const problem = check?.(value);
    if (problem) this.problems.push(`${name}: ${problem} (got "${value}")`);
    return value;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) {
      this.problems.push(`${name}: must be a whole number from ${min} to ${max} (got "${text}")`);
      return fallback;
    }
    return value;
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    if (!allowed.includes(text as T)) {
      this.problems.push(`${name}: must be one of ${allowed.join(', ')} (got "${text}")`);
      return fallback;
    }
    return text as T;
  }

  optional(name: string, check: (v: string) => string | undefined): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const problem = check(value);
    // Secrets are never echoed back in the message.
    if (problem) this.problems.push(`${name}: ${problem}`);
    return value;
  }

  duration(name: string, fallback: string, check?: (ms: number) => string | undefined): number {
    const text = this.raw(name) ?? fallback;
    const ms = parseDuration(text);
    if (ms === undefined) {
      this.problems.push(`${name}: must be a duration such as 30s, 15m, 24h or 7d (got "${text}")`);
      return parseDuration(fallback) ?? 0;
    }
    const problem = check?.(ms);
    if (problem) this.problems.push(`${name}: ${problem} (got "${text}")`);
    return ms;
  }
}

/**
 * A development secret (the admin token, the session and order-token keys): made once and kept under
 * the data dir, owner-only, so it survives restarts and every process of `npm start` shares it.
 */
export function devSecret(dataDir: string, name: string, prefix = ''): string {
  const file = path.join(dataDir, name);
  const existing = () => (existsSync(file) ? readFileSync(file, 'utf8').trim() : '');
  if (existing().length >= 16) return existing();
  const secret = `${prefix}${randomBytes(32).toString('base64url')}`;
  mkdirSync(dataDir, { recursive: true });
  try {
    // `wx`: the API and the worker started at once on a fresh data dir must end up with one secret.
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: existsSync(file) ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST' && existing().length >= 16) return existing();
    throw error;
  }
  return secret;
}
