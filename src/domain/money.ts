/** Money for people (messages, summaries, the Web UI): 39.98 USD. */
export const money = (cents: number, currency: string) => `${(cents / 100).toFixed(2)} ${currency}`;
