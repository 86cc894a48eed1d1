/**
 * `npm run projections:rebuild -- <name>`: rebuilds one read model from the whole journal while
 * orders keep flowing (src/db/projections.ts rebuildProjection); `all` rebuilds each in turn.
 */
import { loadConfigOrExit } from '../config.js';
import { createPrisma } from '../db/prisma.js';
import { rebuildProjection } from '../db/projections.js';
import { READ_MODELS } from '../db/read-models/index.js';

const names = [...READ_MODELS.keys()];
const asked = process.argv[2];
if (!asked || (asked !== 'all' && !READ_MODELS.has(asked))) {
  console.error(`usage: npm run projections:rebuild -- <${names.join('|')}|all>`);
  process.exit(2);
}
const config = loadConfigOrExit();
const prisma = createPrisma(config.databaseUrl, 2);
try {
  for (const name of asked === 'all' ? names : [asked]) {
    const started = Date.now();
    const { applied, position } = await rebuildProjection(prisma, READ_MODELS.get(name)!);
    console.log(
      `${name}: rebuilt from ${applied} journal events in ${Date.now() - started} ms ` +
        `(up to transaction ${position.txId}, seq ${position.seq}; its projector carries on from there)`,
    );
  }
} finally {
  await prisma.$disconnect();
}
