import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const prismaCli = createRequire(import.meta.url).resolve('prisma/build/index.js');
const unrefWasmTimers = fileURLToPath(new URL('./unref-wasm-timers.cjs', import.meta.url));

/** Applies the committed migrations (`prisma migrate deploy`) to the database at `databaseUrl`. */
export async function migrateDatabase(databaseUrl: string): Promise<void> {
  try {
    await run(process.execPath, ['-r', unrefWasmTimers, prismaCli, 'migrate', 'deploy'], {
      env: { ...process.env, DATABASE_URL: databaseUrl, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
      timeout: 120_000,
    });
  } catch (err) {
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
    throw new Error(`prisma migrate deploy failed:\n${`${stdout}\n${stderr}`.trim()}`);
  }
}
