/**
 * The HTTP contract at its edges, each found by the fuzzer (test/api/schemathesis.test.ts) and
 * pinned here: every answer in the `{ error: { code, message } }` shape, 405 for a known path's
 * other methods, JSON bodies taken with their own types, 422 for well-formed requests a rule refuses.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/app.js';
import { address, productsInStock } from '../helpers/orders.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

/** A raw request, so nothing in between fixes it up (fetch refuses some methods and headers). */
function raw(
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: any }> {
  const { hostname, port } = new URL(stack.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : undefined }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the edges of the HTTP contract', () => {
  it('405 with Allow for a known path asked with another method, 404 for an unknown path', async () => {
    for (const method of ['QUERY', 'TRACE', 'PUT']) {
      const res = await raw(method, '/api/products');
      expect(res.status, method).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
      expect(res.body.error.code).toBe('method_not_allowed');
    }
    const order = await raw('DELETE', '/api/orders/00000000-0000-4000-8000-000000000000');
    expect(order.status).toBe(405);
    expect(order.body.error.code).toBe('method_not_allowed');
    const nowhere = await raw('QUERY', '/api/nowhere');
    expect(nowhere.status).toBe(404);
    expect(nowhere.body.error.code).toBe('route_not_found');
  });

  it('414 and 431 in the error shape, and path parameters get their own 400 first', async () => {
    const long = await raw('GET', `/api/products/${'x'.repeat(400)}`);
    expect(long.status).toBe(414);
    expect(long.body.error.code).toBe('uri_too_long');
    const longish = await raw('GET', `/api/products/${'x'.repeat(150)}`);
    expect(longish.status).toBe(400);
    expect(longish.body.error.code).toBe('validation_failed');
    const headers = await raw('GET', '/healthz', { 'x-big': 'a'.repeat(20_000) });
    expect(headers.status).toBe(431);
    expect(headers.body.error.code).toBe('headers_too_large');
  });

  it('takes a JSON body with its own types: no "false" for false, no 0 for null, and null is not "no body"', async () => {
    const nullBody = await stack.http('/api/carts', {
      method: 'POST',
      body: 'null',
      headers: { 'content-type': 'application/json' },
    });
    expect(nullBody.status).toBe(400);
    const [product] = await productsInStock(stack, 1);
    const admin = { admin: true };
    const wrongType = await stack.http(`/api/admin/products/${product!.id}`, {
      method: 'PATCH',
      json: { category: false },
      ...admin,
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.details[0]).toMatchObject({ field: 'category' });
    const nullCount = await stack.http(`/api/admin/products/${product!.id}/inventory`, {
      method: 'PUT',
      json: { onHand: 10, restockThreshold: 0, restockQuantity: null },
      ...admin,
    });
    expect(nullCount.status).toBe(400);
    // The query string is text: "5" is the number 5 there.
    expect((await stack.http('/api/products?limit=5')).body.items).toHaveLength(5);
  });

  it('422 for a well-formed request a rule refuses: one product twice, a date range backwards', async () => {
    const [product] = await productsInStock(stack, 1);
    const twice = await stack.http('/api/orders', {
      method: 'POST',
      json: {
        lines: [
          { productId: product!.id, quantity: 1 },
          { productId: product!.id, quantity: 2 },
        ],
        email: 'twice@example.com',
        shippingAddress: address,
      },
    });
    expect(twice.status).toBe(422);
    expect(twice.body.error.code).toBe('duplicate_lines');
    const backwards = await stack.http(
      '/api/admin/orders?placedFrom=2026-02-01T00:00:00Z&placedTo=2026-01-01T00:00:00Z',
      {
        admin: true,
      },
    );
    expect(backwards.status).toBe(422);
    expect(backwards.body.error.code).toBe('invalid_date_range');
    const instant = await stack.http(
      '/api/admin/orders?placedFrom=2026-01-01T00:00:00Z&placedTo=2026-01-01T00:00:00Z',
      {
        admin: true,
      },
    );
    expect(instant.status).toBe(200);
  });

  it('404 for a simulated payment that does not exist, and for webhooks this shop does not take', async () => {
    const page = await stack.http('/simulated-payments/pi_sim_0/authenticate');
    expect(page.status).toBe(404);
    expect(page.body.error.code).toBe('payment_not_found');
    const confirm = await stack.http('/simulated-payments/pi_sim_0/authenticate', {
      method: 'POST',
      json: { outcome: 'succeed' },
    });
    expect(confirm.status).toBe(404);
    const extra = await stack.http('/simulated-payments/pi_sim_0/authenticate', {
      method: 'POST',
      json: { outcome: 'succeed', sneaky: 1 },
    });
    expect(extra.status).toBe(400);
  });

  it('the codec refuses bytes that are not base64 with a 400, never a 500', async () => {
    for (const payloads of [[{ data: '==' }], [{ metadata: { encoding: '=' } }], [{ data: null }]]) {
      const res = await stack.http('/codec/decode', { method: 'POST', json: { payloads }, admin: true });
      expect(res.status, JSON.stringify(payloads)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
  });
});
