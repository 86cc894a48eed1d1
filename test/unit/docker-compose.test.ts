import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { searchAttributeCliArgs } from '../../src/contracts/search-attributes.js';
import { loadConfig } from '../../src/config.js';

// No Docker engine runs here (nor in CI), so the stack is checked by its structure: what would
// otherwise only fail at `docker compose up` on someone else's machine.

type Env = Record<string, string | number | boolean | null> | string[];
type DependsOn = Record<string, { condition?: string }> | string[];

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Env;
  depends_on?: DependsOn;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  ports?: string[];
}

const read = (file: string): string => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

// `merge: true`: the api merges the shared app environment with `<<`, as Compose does.
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const dockerfile = read('Dockerfile');
const packageJson = JSON.parse(read('package.json')) as { scripts: Record<string, string>; engines: { node: string } };

function service(name: string): Service {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

function env(name: string): Record<string, string> {
  const raw = service(name).environment ?? {};
  const pairs = Array.isArray(raw)
    ? raw.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
    : Object.entries(raw).map(([key, value]) => [key, String(value ?? '')]);
  return Object.fromEntries(pairs) as Record<string, string>;
}

/** The condition `name` waits for on `dependency`; the short list form means service_started. */
function condition(name: string, dependency: string): string | undefined {
  const deps = service(name).depends_on ?? {};
  if (Array.isArray(deps)) return deps.includes(dependency) ? 'service_started' : undefined;
  const dep = deps[dependency];
  return dep ? (dep.condition ?? 'service_started') : undefined;
}

function commandText(name: string): string {
  const command = service(name).command ?? '';
  return Array.isArray(command) ? command.join(' ') : command;
}

/** A version tag: starts with a digit, so `latest`, `stable` and an absent tag all fail. */
const pinnedImage = /^[a-z0-9][a-z0-9._/-]*:\d[\w.-]*$/;

describe('docker-compose.yml', () => {
  it('has the expected services', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining([
        'postgresql',
        'temporal-admin-tools',
        'temporal',
        'temporal-search-attributes',
        'temporal-ui',
        'migrate',
        'api',
        'worker',
      ]),
    );
  });

  it('pins every image to an explicit version tag', () => {
    const images = Object.entries(services).filter(([, s]) => s.image !== undefined);
    expect(images.length).toBeGreaterThan(0);
    for (const [name, s] of images) expect(s.image, name).toMatch(pinnedImage);
    // The schema admin-tools installs must be the one the server expects.
    const tag = (name: string) => service(name).image?.split(':')[1];
    expect(tag('temporal-admin-tools')).toBe(tag('temporal'));
    expect(tag('temporal-search-attributes')).toBe(tag('temporal'));
  });

  it('gives postgresql, temporal, the api (readiness) and the worker a healthcheck', () => {
    for (const name of ['postgresql', 'temporal', 'api', 'worker']) {
      const check = service(name).healthcheck;
      expect(check?.disable, name).not.toBe(true);
      expect(check?.test, name).toBeTruthy();
    }
    expect(String(service('postgresql').healthcheck?.test)).toContain('pg_isready');
    expect(String(service('api').healthcheck?.test)).toContain('/readyz');
    expect(String(service('worker').healthcheck?.test)).toContain(':9464/metrics');
  });

  it('wires the startup order through depends_on conditions', () => {
    expect(condition('temporal-admin-tools', 'postgresql')).toBe('service_healthy');
    expect(condition('temporal', 'temporal-admin-tools')).toBe('service_completed_successfully');
    expect(condition('temporal-search-attributes', 'temporal')).toBe('service_healthy');
    expect(condition('temporal-ui', 'temporal')).toBe('service_healthy');
    expect(condition('migrate', 'postgresql')).toBe('service_healthy');
    for (const name of ['api', 'worker']) {
      expect(condition(name, 'migrate'), name).toBe('service_completed_successfully');
      expect(condition(name, 'temporal'), name).toBe('service_healthy');
      expect(condition(name, 'temporal-search-attributes'), name).toBe('service_completed_successfully');
    }
  });

  it('points api and worker at the compose Postgres and Temporal', () => {
    for (const name of ['api', 'worker', 'migrate']) {
      const vars = env(name);
      const db = new URL(vars.DATABASE_URL ?? '');
      expect(db.protocol, name).toMatch(/^postgres(ql)?:$/);
      expect(db.hostname, name).toBe('postgresql');
      expect(db.pathname, name).toBe('/orchestrator');
      expect(vars.TEMPORAL_ADDRESS, name).toBe('temporal:7233');
      expect(vars.TEMPORAL_NAMESPACE, name).toBe('default');
      expect(vars.TASK_QUEUE, name).toBeTruthy();
      expect(vars.NODE_ENV, name).toBe('production');
    }
    expect(env('api')).toMatchObject({ HOST: '0.0.0.0', PORT: '3000' });
    expect(service('api').ports).toContain('3000:3000');
    expect(service('temporal-ui').ports).toContain('8233:8080');
  });

  it('requires ADMIN_TOKEN from the environment and passes Stripe keys through as optional', () => {
    for (const name of ['api', 'worker']) {
      const vars = env(name);
      // `:?` makes compose refuse to start without it; a `:-` default would ship a known token.
      expect(vars.ADMIN_TOKEN, name).toMatch(/^\$\{ADMIN_TOKEN:\?[^}]+\}$/);
      for (const key of ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_PUBLISHABLE_KEY']) {
        expect(vars[key], `${name} ${key}`).toBe(`\${${key}:-}`);
      }
    }
  });

  it('gives api and worker every secret a production config requires, from the environment', () => {
    const values: Record<string, string> = {
      PAYLOAD_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
    };
    for (const name of ['api', 'worker']) {
      // What compose would pass once each `${NAME:?...}` is set and each `${NAME:-default}` is left unset.
      const vars = Object.fromEntries(
        Object.entries(env(name)).map(([key, value]) => {
          if (/^\$\{\w+:\?[^}]+\}$/.test(value))
            return [key, values[key] ?? `${key.toLowerCase()}-0123456789abcdef0123456789`];
          const unset = /^\$\{\w+:-([^}]*)\}$/.exec(value);
          if (unset) return [key, unset[1]!];
          return [key, value];
        }),
      );
      expect(() => loadConfig(vars), name).not.toThrow();
    }
  });

  it('registers every custom search attribute of src/contracts with its type', () => {
    const registered = (env('temporal-search-attributes').SEARCH_ATTRIBUTES ?? '').split(/\s+/).filter(Boolean);
    expect([...registered].sort()).toEqual([...searchAttributeCliArgs()].sort());

    const script = commandText('temporal-search-attributes');
    expect(script).toContain('temporal operator search-attribute create');
    expect(script).toContain('--address temporal:7233');
    expect(script).toContain('--namespace default');
    expect(script).toContain('temporal operator namespace create');
    expect(script).toContain('already exists'); // reruns must succeed
  });

  it('builds api, worker and migrate from the project Dockerfile with the npm scripts that exist', () => {
    for (const name of ['api', 'worker', 'migrate']) {
      const build = service(name).build;
      const { context, dockerfile: file } =
        typeof build === 'string' ? { context: build, dockerfile: undefined } : (build ?? {});
      expect(context, name).toBe('.');
      expect(file ?? 'Dockerfile', name).toBe('Dockerfile');
    }
    expect(commandText('api')).toBe('npm run api');
    expect(commandText('worker')).toBe('npm run worker');
    expect(commandText('migrate')).toContain('npm run db:migrate && npm run db:seed');
    const scripts = Object.keys(services).flatMap((name) =>
      [...commandText(name).matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]),
    );
    for (const script of scripts) expect(packageJson.scripts, script).toHaveProperty([script!]);
  });
});

describe('Dockerfile', () => {
  const instructions = (name: string) =>
    dockerfile
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.toUpperCase().startsWith(`${name} `))
      .map((line) => line.slice(name.length + 1).trim());

  it('starts from a pinned Node image that meets package.json engines', () => {
    const from = instructions('FROM');
    expect(from.length).toBeGreaterThan(0);
    for (const line of from) expect(line.split(/\s+/)[0]).toMatch(pinnedImage);
    const [major, minor] = (/^node:(\d+)\.(\d+)\.\d+/.exec(from.at(-1)!) ?? []).slice(1).map(Number);
    const [needMajor, needMinor] = (/(\d+)\.(\d+)/.exec(packageJson.engines.node) ?? []).slice(1).map(Number);
    expect(major).toBe(needMajor);
    expect(minor).toBeGreaterThanOrEqual(needMinor!);
  });

  it('runs as a non-root user', () => {
    const user = instructions('USER').at(-1);
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user!.split(':')[0]);
  });
});
