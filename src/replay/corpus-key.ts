/**
 * The payload key of the committed replay corpus (test/replay/histories): public on purpose, so
 * anyone can replay the corpus, and used for nothing else. A shop's own PAYLOAD_KEYS never is this.
 *
 *   PAYLOAD_KEYS=<this> npm run replay -- test/replay/histories/order-happy-path.json
 */
export const CORPUS_PAYLOAD_KEYS = 'corpus1:4n7uc/j5RxUkArXzUKx7tpW0UXdWow6BMqgLj38I3Ds=';
