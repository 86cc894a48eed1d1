/** `npm run tools:schemathesis`: installs the API fuzzer the tests run (CI and fresh machines run this). */
import { ensureSchemathesis, SCHEMATHESIS_VERSION } from '../dev/schemathesis.js';

try {
  const binary = await ensureSchemathesis((line) => console.log(line));
  console.log(`Schemathesis ready: ${binary} (${SCHEMATHESIS_VERSION})`);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
