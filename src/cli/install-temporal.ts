/** `npm run tools:temporal`: makes sure a Temporal CLI is available (CI and fresh machines run this). */
import { ensureTemporalCli, TEMPORAL_CLI_VERSION } from '../dev/temporal-cli.js';

try {
  const binary = await ensureTemporalCli(process.env.TEMPORAL_CLI_PATH || undefined, (line) => console.log(line));
  console.log(`Temporal CLI ready: ${binary} (wanted ${TEMPORAL_CLI_VERSION})`);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
