import pg from 'pg';

/**
 * Workaround for prisma/orm#27403: @prisma/adapter-pg 6.19 cannot decode columns of type `name`
 * (OID 19), which Prisma Migrate reads from the Postgres catalog, and fails with "Column type
 * 'name' could not be deserialized". `name` is text on the wire, so reporting it as `text` (OID 25)
 * is exact. Remove when the adapter maps OID 19 itself.
 */
const NAME_OID = 19;
const TEXT_OID = 25;

function nameColumnsAsText<T>(result: T): T {
  for (const r of Array.isArray(result) ? result : [result]) {
    const fields = (r as { fields?: { dataTypeID: number }[] } | undefined)?.fields;
    for (const field of fields ?? []) if (field.dataTypeID === NAME_OID) field.dataTypeID = TEXT_OID;
  }
  return result;
}

class NameAsTextClient extends pg.Client {
  // pg.Pool calls the callback form; direct callers use the promise form: both are covered.
  override query(...args: unknown[]): never {
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (err: unknown, res: unknown) =>
        (callback as (e: unknown, r: unknown) => void)(err, err ? res : nameColumnsAsText(res));
      return (super.query as (...a: unknown[]) => never)(...args);
    }
    const out = (super.query as (...a: unknown[]) => unknown)(...args);
    return (out instanceof Promise ? out.then(nameColumnsAsText) : out) as never;
  }
}

/**
 * Pool settings from a postgres URL, as separate fields: `prisma migrate dev` builds its shadow
 * database by overriding `database` in this config, and a `connectionString` would silently win.
 */
export function poolConfigFromUrl(databaseUrl: string, max = 10): pg.PoolConfig {
  const url = new URL(databaseUrl);
  const sslmode = url.searchParams.get('sslmode');
  return {
    host: decodeURIComponent(url.hostname),
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres',
    ssl: sslmode && sslmode !== 'disable' ? { rejectUnauthorized: sslmode === 'verify-full' } : undefined,
    max,
    // Prisma's pg adapter writes and reads timestamps as UTC wall-clock time, right only where the
    // connection's TimeZone is UTC; the plain-SQL reads on this pool are right in any. A server
    // whose default is another zone made the two disagree by its offset (test/db/timezone.test.ts).
    options: '-c TimeZone=UTC',
    // A database that is away fails a connection attempt in seconds, not whenever the OS gives up.
    connectionTimeoutMillis: 5_000,
    keepAlive: true,
    // An idle pool must not keep a CLI process (prisma migrate, scripts) alive for its idle timeout.
    allowExitOnIdle: true,
    Client: NameAsTextClient,
  };
}
