/** The API process: `npm run api`. Stateless; talks to Temporal and reads Postgres. */
import { Client, Connection } from '@temporalio/client';
import { encryptingDataConverter } from '../codec/data-converter.js';
import { loadConfigOrExit } from '../config.js';
import { createPrisma } from '../db/prisma.js';
import { createLogger } from '../logger.js';
import { buildApp } from './app.js';
import { createPaymentProvider } from '../payments/index.js';

const config = loadConfigOrExit();
const logger = createLogger(config, 'api');
const prisma = createPrisma(config.databaseUrl);
// Lazy: the API starts (and /readyz says why it is not ready) even while Temporal is still down.
const connection = Connection.lazy({ address: config.temporal.address });
const client = new Client({
  connection,
  namespace: config.temporal.namespace,
  dataConverter: encryptingDataConverter(config.security.payloadKeys),
});

const app = await buildApp(
  { config, prisma, temporal: { client, connection }, payments: createPaymentProvider(config, prisma) },
  { loggerInstance: logger },
);

let closing = false;
async function close(signal: string) {
  if (closing) return;
  closing = true;
  app.log.info({ signal }, 'api stopping');
  await app.close();
  await connection.close();
  await prisma.$disconnect();
  process.exit(0);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void close(signal));
// Started by `npm start`: stop when the supervisor goes away, whatever the way it went. The channel
// itself must not keep a finished process alive.
process.channel?.unref();
process.once('disconnect', () => void close('disconnect'));

await app.listen({ host: config.host, port: config.port });
process.send?.({ type: 'ready', port: (app.server.address() as { port: number }).port });
