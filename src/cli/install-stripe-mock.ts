/** `npm run tools:stripe-mock`: makes sure stripe-mock is available (CI and fresh machines run this). */
import { ensureStripeMock, STRIPE_MOCK_VERSION } from '../dev/stripe-mock.js';

try {
  const binary = await ensureStripeMock((line) => console.log(line));
  console.log(`stripe-mock ready: ${binary} (wanted ${STRIPE_MOCK_VERSION})`);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
