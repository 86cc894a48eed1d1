/** `npm run check:invariants`: checks stock and money across the database; exits 1 on any violation. */
import { loadConfigOrExit } from '../config.js';
import { checkInvariants } from '../db/invariants.js';
import { createPrisma } from '../db/prisma.js';

const config = loadConfigOrExit();
const prisma = createPrisma(config.databaseUrl, 2);
try {
  const results = await checkInvariants(prisma);
  for (const r of results) {
    console.log(`${r.ok ? '✔' : '✘'} ${r.name}`);
    for (const v of r.violations.slice(0, 20)) console.log(`    ${v}`);
    if (r.violations.length > 20) console.log(`    … and ${r.violations.length - 20} more`);
  }
  process.exitCode = results.every((r) => r.ok) ? 0 : 1;
} finally {
  await prisma.$disconnect();
}
