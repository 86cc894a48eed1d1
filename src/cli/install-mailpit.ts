/** `npm run tools:mailpit`: makes sure Mailpit is available (CI and fresh machines run this). */
import { ensureMailpit, MAILPIT_VERSION } from '../dev/mailpit.js';

try {
  const binary = await ensureMailpit((line) => console.log(line));
  console.log(`Mailpit ready: ${binary} (wanted ${MAILPIT_VERSION})`);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
