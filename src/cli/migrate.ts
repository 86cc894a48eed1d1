/** `npm run db:migrate`: applies the committed migrations to DATABASE_URL (or the embedded default). */
import { loadConfigOrExit } from '../config.js';
import { migrateDatabase } from '../db/migrate.js';

const config = loadConfigOrExit();
try {
  await migrateDatabase(config.databaseUrl);
  console.log('Database migrations are up to date.');
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
