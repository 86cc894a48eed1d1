/**
 * The fault suite's clients: shoppers placing orders and checking out carts as a careful front end
 * would (a 503, a 429 or a dropped connection is retried with the same Idempotency-Key or the same
 * cart, after Retry-After), every request recorded with its status and time. And the bookkeeping
 * that follows a batch: which accepted orders ended, which are stuck, which were lost.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Stack } from './stack.js';

export interface Sample {
  what: string;
  status: number | 'network';
  ms: number;
  /** The start of the body of a 500, to name what failed. */
  body?: string;
}

const address = { name: 'Fault Tester', line1: '1 Main St', city: 'London', postalCode: 'N1', country: 'GB' };
const RETRYABLE = new Set([429, 502, 503, 504]);
const ENDED = new Set(['delivered', 'cancelled']);

export interface Product {
  id: string;
  sku: string;
}

/** One shopper's browser: its session cookie. */
interface Jar {
  cookie?: string;
}

export class Clients {
  readonly samples: Sample[] = [];
  /** Answers that stopped a cart being made, for the report when one is missing. */
  readonly refused: string[] = [];
  /** Each order's access token, as the shopper who placed it keeps it. */
  private readonly tokens = new Map<string, string>();
  /** Each cart's shopper: a cart belongs to the session that made it. */
  private readonly carts = new Map<string, Jar>();

  constructor(private readonly stack: Stack) {}

  /** One request, recorded. A connection refused or reset is status 'network'. */
  async http(
    what: string,
    path: string,
    init: { method?: string; json?: unknown; admin?: boolean; key?: string; jar?: Jar } = {},
  ): Promise<{ status: number | 'network'; body: any; retryAfter: number }> {
    const started = Date.now();
    const jar = init.jar ?? this.carts.get(/^\/api\/carts\/([^/]+)/.exec(path)?.[1] ?? '');
    const token = this.tokens.get(/^\/api\/orders\/([^/]+)/.exec(path)?.[1] ?? '');
    try {
      const res = await fetch(`${this.stack.url}${path}`, {
        method: init.method ?? 'GET',
        headers: {
          ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(init.admin ? { authorization: `Bearer ${this.stack.adminToken}` } : {}),
          ...(init.key ? { 'idempotency-key': init.key } : {}),
          ...(jar?.cookie ? { cookie: jar.cookie } : {}),
          ...(token ? { 'x-order-token': token } : {}),
        },
        body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      this.samples.push({
        what,
        status: res.status,
        ms: Date.now() - started,
        ...(res.status === 500 && { body: text.slice(0, 300) }),
      });
      const session = res.headers.getSetCookie().find((c) => c.startsWith('sid='));
      if (session && jar) jar.cookie = session.split(';')[0];
      let body: any = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON
      }
      if (typeof body?.orderId === 'string' && typeof body.accessToken === 'string')
        this.tokens.set(body.orderId, body.accessToken);
      return { status: res.status, body, retryAfter: Number(res.headers.get('retry-after') ?? 1) };
    } catch {
      this.samples.push({ what, status: 'network', ms: Date.now() - started });
      return { status: 'network', body: undefined, retryAfter: 1 };
    }
  }

  /** Sends a request until it is answered for good (2xx, or a 4xx other than 429), for up to `patienceMs`. */
  private async persist(
    what: string,
    path: string,
    init: { method?: string; json?: unknown; key?: string; jar?: Jar },
    patienceMs: number,
  ): Promise<{ status: number | 'network'; body: any }> {
    const deadline = Date.now() + patienceMs;
    for (;;) {
      const res = await this.http(what, path, init);
      const retry = res.status === 'network' || RETRYABLE.has(res.status);
      if (!retry || Date.now() > deadline) return res;
      await sleep(Math.min(res.retryAfter, 5) * 1000);
    }
  }

  /** A direct order (POST /api/orders), retried with its Idempotency-Key; its id once accepted. */
  async placeOrder(
    lines: { productId: string; quantity: number }[],
    patienceMs = 120_000,
  ): Promise<string | undefined> {
    const key = randomUUID();
    const res = await this.persist(
      'POST /api/orders',
      '/api/orders',
      {
        method: 'POST',
        key,
        json: { lines, email: 'faults@example.com', shippingAddress: address, paymentMethod: 'pm_card_visa' },
      },
      patienceMs,
    );
    return res.status === 202 ? (res.body.orderId as string) : undefined;
  }

  /** A cart filled line by line (each change with its own key), then checked out; the order's id once accepted. */
  async checkout(lines: { productId: string; quantity: number }[], patienceMs = 120_000): Promise<string | undefined> {
    const cartId = await this.newCart(lines, patienceMs);
    return cartId ? this.checkoutCart(cartId, patienceMs) : undefined;
  }

  async newCart(lines: { productId: string; quantity: number }[], patienceMs = 120_000): Promise<string | undefined> {
    const jar: Jar = {};
    const created = await this.persist(
      'POST /api/carts',
      '/api/carts',
      { method: 'POST', key: randomUUID(), jar },
      patienceMs,
    );
    if (created.status !== 201 && created.status !== 200) {
      this.refused.push(`POST /api/carts: ${created.status} ${JSON.stringify(created.body?.error ?? created.body)}`);
      return undefined;
    }
    const cartId = created.body.id as string;
    this.carts.set(cartId, jar);
    for (const line of lines) {
      const res = await this.persist(
        'POST /api/carts/:id/items',
        `/api/carts/${cartId}/items`,
        { method: 'POST', key: randomUUID(), json: line },
        patienceMs,
      );
      if (res.status !== 200) {
        this.refused.push(
          `POST /api/carts/${cartId}/items: ${res.status} ${JSON.stringify(res.body?.error ?? res.body)}`,
        );
        return undefined;
      }
    }
    return cartId;
  }

  async checkoutCart(cartId: string, patienceMs = 120_000): Promise<string | undefined> {
    const res = await this.persist(
      'POST /api/carts/:id/checkout',
      `/api/carts/${cartId}/checkout`,
      {
        method: 'POST',
        json: { email: 'faults@example.com', shippingAddress: address, paymentMethod: 'pm_card_visa' },
      },
      patienceMs,
    );
    return res.status === 202 ? (res.body.orderId as string) : undefined;
  }

  /** Products with plenty of stock, cheapest first. */
  async productsInStock(n: number, minAvailable = 200): Promise<Product[]> {
    const res = await this.http('GET /api/products', '/api/products?inStock=true&sort=price&limit=100');
    const items = (res.body.items as { id: string; sku: string; available: number }[]).filter(
      (p) => p.available >= minAvailable,
    );
    if (items.length < n) throw new Error(`only ${items.length} products have ${minAvailable} in stock`);
    return items.slice(0, n);
  }

  /** A product of the suite's own with exactly `onHand` units. */
  async productWithStock(sku: string, onHand: number): Promise<Product> {
    const facets = (await this.http('GET /api/catalog/facets', '/api/catalog/facets')).body;
    const res = await this.http('POST /api/admin/products', '/api/admin/products', {
      method: 'POST',
      admin: true,
      json: {
        sku,
        name: `Fault suite ${sku}`,
        priceCents: 1500,
        category: facets.categories[0].category,
        vendorId: facets.vendors[0].id,
        inventory: { onHand, restockThreshold: 0, restockQuantity: 0 },
      },
    });
    if (res.status !== 201) throw new Error(`could not create ${sku}: ${JSON.stringify(res.body)}`);
    return res.body as Product;
  }

  /** An order's status as GET answers it ('lost' for a 404, undefined when it could not be read). */
  async statusOf(orderId: string): Promise<string | undefined> {
    const res = await this.http('GET /api/orders/:id', `/api/orders/${orderId}`);
    if (res.status === 404) return 'lost';
    return res.status === 200 ? (res.body.status as string) : undefined;
  }

  /**
   * Waits until every order has ended (delivered or cancelled) or `timeoutMs` has passed: those
   * that ended, those still under way (stuck), and those the system does not know (lost).
   */
  async settle(orderIds: string[], timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    const status = new Map<string, string | undefined>();
    let open = [...orderIds];
    while (open.length > 0 && Date.now() < deadline) {
      await Promise.all(open.map(async (id) => status.set(id, await this.statusOf(id))));
      open = open.filter((id) => !ENDED.has(status.get(id) ?? ''));
      if (open.length > 0) await sleep(1_000);
    }
    const final = [...status.entries()];
    return {
      delivered: final.filter(([, s]) => s === 'delivered').length,
      cancelled: final.filter(([, s]) => s === 'cancelled').length,
      stuck: final
        .filter(([, s]) => !ENDED.has(s ?? '') && s !== 'lost')
        .map(([id, s]) => `${id} (${s ?? 'unreadable'})`),
      lost: final.filter(([, s]) => s === 'lost').map(([id]) => id),
    };
  }

  /**
   * How long after `since` the system takes new work again: an order placed now (retried as a
   * client would) is accepted and reaches `reserved` or beyond. Seconds.
   */
  async recoveredAfter(since: number, product: Product): Promise<number> {
    const orderId = await this.placeOrder([{ productId: product.id, quantity: 1 }], 180_000);
    if (!orderId) throw new Error('no order was accepted after the fault');
    for (let i = 0; i < 360; i++) {
      const status = await this.statusOf(orderId);
      if (status && ['reserved', 'picking', 'shipped', 'delivered'].includes(status)) break;
      await sleep(500);
    }
    return Math.round((Date.now() - since) / 100) / 10;
  }

  /** Runs `n` jobs at most `width` at a time. */
  static async pool<T>(n: number, width: number, job: (i: number) => Promise<T>): Promise<T[]> {
    const results: T[] = new Array(n);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(width, n) }, async () => {
        while (next < n) {
          const i = next++;
          results[i] = await job(i);
        }
      }),
    );
    return results;
  }
}
