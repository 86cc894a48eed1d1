/** A shopper session on the API, for preparing data (carts belong to the session that made them). */
import { randomUUID } from 'node:crypto';

export interface Shopper {
  /** The session cookie, for the load generator's requests on this shopper's carts. */
  cookie(): Record<string, string>;
  json(method: string, path: string, body?: unknown): Promise<any>;
  newCart(): Promise<string>;
}

export function shopper(baseUrl: string): Shopper {
  let cookie: string | undefined;
  const self: Shopper = {
    cookie: (): Record<string, string> => (cookie ? { cookie } : {}),
    async json(method, path, body) {
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          ...(body ? { 'content-type': 'application/json', 'idempotency-key': randomUUID() } : {}),
          ...self.cookie(),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      const session = res.headers.getSetCookie().find((c) => c.startsWith('sid='));
      if (session) cookie = session.split(';')[0];
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    },
    async newCart() {
      return ((await self.json('POST', '/api/carts')) as { id: string }).id;
    },
  };
  return self;
}

/** Runs `task` for 0..count-1 with at most `width` at once. */
export async function inParallel(count: number, width: number, task: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

export const shippingAddress = {
  name: 'Bench Mark',
  line1: '1 Load Lane',
  city: 'Springfield',
  postalCode: '12345',
  country: 'US',
};
