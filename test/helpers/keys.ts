/** The test stacks' payload key (a fixed, public one: tests decrypt what they wrote). No imports: cheap to share. */
export const TEST_PAYLOAD_KEYS = `test1:${Buffer.alloc(32, 7).toString('base64')}`;
