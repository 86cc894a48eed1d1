import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/app.js';
import { address, newCart, productsInStock } from '../helpers/orders.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({
    RATE_LIMIT_WINDOW: '1m',
    RATE_LIMIT_CARTS_PER_SHOPPER: '5',
    RATE_LIMIT_CARTS_PER_IP: '1000',
    RATE_LIMIT_ORDERS_PER_SHOPPER: '1000',
    RATE_LIMIT_ORDERS_PER_IP: '4',
    RATE_LIMIT_SIGN_IN_PER_IP: '1000',
    RATE_LIMIT_SIGN_IN_PER_SHOPPER: '3',
    CORS_ORIGINS: 'https://shop.example.com',
  });
});
afterAll(async () => {
  await stack?.close();
});

const expect429 = (res: { status: number; body: any; headers: Headers }) => {
  expect(res.status, JSON.stringify(res.body)).toBe(429);
  expect(res.body.error.code).toBe('too_many_requests');
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
};

describe('abuse limits', () => {
  it('answers 429 with Retry-After past the per-shopper cart limit; another shopper is not held back', async () => {
    const [a] = await productsInStock(stack, 1);
    const greedy = stack.shopper();
    // The cart is made before the session exists (counted against the address); then 5 changes pass.
    const cartId = await newCart(stack, { as: greedy });
    const answers = [];
    for (let i = 0; i < 7; i++)
      answers.push(
        await stack.http(`/api/carts/${cartId}/items`, {
          method: 'POST',
          json: { productId: a!.id, quantity: 1 },
          as: greedy,
        }),
      );
    expect(answers.slice(0, 5).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect429(answers[5]!);
    expect429(answers[6]!);
    // Reads are not limited, and nothing refused was applied.
    expect((await stack.http(`/api/carts/${cartId}`, { as: greedy })).body.itemCount).toBe(5);
    const polite = stack.shopper();
    expect((await stack.http('/api/carts', { method: 'POST', as: polite })).status).toBe(201);
  });

  it('limits orders per address, whoever sends them', async () => {
    const [a] = await productsInStock(stack, 1);
    const body = { lines: [{ productId: a!.id, quantity: 1 }], email: 'many@example.com', shippingAddress: address };
    const statuses = [];
    let last;
    for (let i = 0; i < 6; i++) {
      last = await stack.http('/api/orders', { method: 'POST', json: body, as: stack.shopper() });
      statuses.push(last.status);
    }
    expect(statuses.filter((s) => s === 202)).toHaveLength(4);
    expect429(last!);
    const placed = await stack.db.prisma.order.count({ where: { email: 'many@example.com' } });
    expect(placed).toBe(4);
  });

  it('limits sign-in attempts per shopper', async () => {
    const me = stack.shopper();
    const tries = [];
    for (let i = 0; i < 4; i++)
      tries.push(
        await stack.http('/api/auth/sign-in', {
          method: 'POST',
          json: { email: 'guess@example.com', password: `guess number ${i}` },
          as: me,
        }),
      );
    expect(tries.slice(0, 3).map((r) => r.status)).toEqual([401, 401, 401]);
    expect429(tries[3]!);
  });
});

describe('browser safety', () => {
  it('sends security headers on every page: no framing (3-D Secure page included), no sniffing, a strict referrer', async () => {
    for (const path of ['/', '/api/products', '/simulated-payments/pi_sim_nothing/authenticate']) {
      const res = await stack.http(path);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("script-src 'self'");
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), path).toBe('SAMEORIGIN');
      expect(res.headers.get('referrer-policy'), path).toBe('strict-origin-when-cross-origin');
    }
  });

  it('keeps the storefront free of inline script, so its CSP holds', async () => {
    const page = (await stack.http('/')).body as string;
    expect(page).toMatch(/<script type="module" src="\/app.js"><\/script>/);
    expect(page.match(/<script(?![^>]*\bsrc=)[^>]*>/g) ?? []).toEqual([]);
    expect(page).not.toMatch(/\son[a-z]+=/i);
  });

  it('takes a change only as JSON: a form post or a text/plain beacon from another site is refused, 415', async () => {
    const [a] = await productsInStock(stack, 1);
    const me = stack.shopper();
    const cartId = await newCart(stack, { as: me });
    const form = await stack.http(`/api/carts/${cartId}/items`, {
      method: 'POST',
      body: `productId=${a!.id}&quantity=1`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      as: me,
    });
    const beacon = await stack.http(`/cart/${cartId}/checkout`, {
      method: 'POST',
      body: 'x',
      headers: { 'content-type': 'text/plain' },
      as: me,
    });
    for (const res of [form, beacon]) {
      expect(res.status).toBe(415);
      expect(res.body.error.code).toBe('unsupported_media_type');
    }
    expect((await stack.http(`/api/carts/${cartId}`, { as: me })).body).toMatchObject({
      status: 'active',
      itemCount: 0,
    });
  });

  it('answers CORS only for the configured origins', async () => {
    const preflight = (origin: string) =>
      stack.http('/api/orders', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    const allowed = await preflight('https://shop.example.com');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    const other = await preflight('https://evil.example.net');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
