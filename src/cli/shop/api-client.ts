/** A small client for the cart and catalog HTTP API, as the shop CLI uses it. */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CartView } from '../../domain/cart.js';
import type { OrderView, ShippingAddress } from '../../domain/order.js';
import type { ProductView } from '../../domain/catalog.js';
import type { MemberJar } from './member-carts.js';

// A cart update waits for the workflow to apply it; a worker restarting can take a while.
const REQUEST_TIMEOUT_MS = 30_000;
const RETRY_DELAY_MS = 250;

/** The API answered with `{ error: { code, message, details? } }` (or at least with an error status). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** No answer from the API: it is down, the address is wrong, or it took too long. */
export class ApiUnreachableError extends Error {
  constructor(baseUrl: string, timedOut: boolean) {
    super(
      timedOut
        ? `the API at ${baseUrl} did not answer within ${REQUEST_TIMEOUT_MS / 1000}s`
        : `cannot reach the API at ${baseUrl} (is \`npm start\` running?)`,
    );
    this.name = 'ApiUnreachableError';
  }
}

/** A page of `GET /api/products`. */
export interface ProductPage {
  items: ProductView[];
  nextCursor: string | null;
}

/** What `POST /api/carts/:id/checkout` answers once orders exist (202). */
export interface CheckoutAccepted {
  orderId: string;
  status: string;
  statusUrl: string;
  accessToken: string;
  trackingUrl: string;
}

/** Calls the API; every change carries an Idempotency-Key, so its one retry cannot apply twice. */
export class ShopApi {
  readonly baseUrl: string;
  /** The current member's session: sent with every request, updated by every answer. */
  jar: MemberJar = { tokens: {} };

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** Products matching a text (name or description), an exact SKU or an exact name. */
  products(query: { q?: string; sku?: string; name?: string; limit: number }): Promise<ProductPage> {
    const params = new URLSearchParams({ limit: String(query.limit) });
    if (query.q) params.set('q', query.q);
    if (query.sku) params.set('sku', query.sku);
    if (query.name) params.set('name', query.name);
    return this.request('GET', `/api/products?${params}`);
  }

  /**
   * A new cart of this member's session. The server makes its id; the Idempotency-Key (the same on
   * the retry) makes a retry after a lost answer find the same cart rather than leave an orphan.
   */
  createCart(): Promise<CartView> {
    return this.request('POST', '/api/carts');
  }

  getCart(cartId: string): Promise<CartView> {
    return this.request('GET', `/api/carts/${encodeURIComponent(cartId)}`);
  }

  addItem(cartId: string, productId: string, quantity: number): Promise<CartView> {
    return this.request('POST', `/api/carts/${encodeURIComponent(cartId)}/items`, { productId, quantity });
  }

  adjustItem(cartId: string, productId: string, delta: number): Promise<CartView> {
    return this.request('PATCH', this.linePath(cartId, productId), { delta });
  }

  removeItem(cartId: string, productId: string): Promise<CartView> {
    return this.request('DELETE', this.linePath(cartId, productId));
  }

  checkout(
    cartId: string,
    body: { email: string; shippingAddress: ShippingAddress; paymentMethod: string },
  ): Promise<CheckoutAccepted> {
    return this.request('POST', `/api/carts/${encodeURIComponent(cartId)}/checkout`, body);
  }

  order(orderId: string): Promise<OrderView> {
    return this.request('GET', `/api/orders/${encodeURIComponent(orderId)}`);
  }

  private linePath(cartId: string, productId: string) {
    return `/api/carts/${encodeURIComponent(cartId)}/items/${encodeURIComponent(productId)}`;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.jar.cookie) headers.cookie = this.jar.cookie;
    const orderId = /^\/api\/orders\/([^/?]+)/.exec(path)?.[1];
    const token = orderId ? this.jar.tokens[decodeURIComponent(orderId)] : undefined;
    if (token) headers['x-order-token'] = token;
    // One key per intended change, reused by the retry: the cart applies it at most once.
    if (method !== 'GET') headers['idempotency-key'] = randomUUID();
    const init = { method, headers, body: body === undefined ? undefined : JSON.stringify(body) };

    let res: Response;
    try {
      res = await this.fetch(path, init);
    } catch {
      await sleep(RETRY_DELAY_MS);
      try {
        res = await this.fetch(path, init);
      } catch (err) {
        throw new ApiUnreachableError(this.baseUrl, (err as Error).name === 'TimeoutError');
      }
    }
    // The session cookie (the first answer that starts a session sets it); the cookie's attributes stay with us.
    const session = res.headers.getSetCookie().find((c) => c.startsWith('sid='));
    if (session) this.jar.cookie = session.split(';')[0];
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON (a proxy's error page): the status alone has to do.
    }
    const placed = json as { orderId?: unknown; accessToken?: unknown } | undefined;
    if (res.ok && typeof placed?.orderId === 'string' && typeof placed.accessToken === 'string')
      this.jar.tokens[placed.orderId] = placed.accessToken;
    if (res.ok) return json as T;
    const error = (json as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
    throw new ApiError(
      res.status,
      typeof error?.code === 'string' ? error.code : `http_${res.status}`,
      typeof error?.message === 'string' ? error.message : `the API answered ${res.status} ${res.statusText}`.trim(),
      error?.details,
    );
  }

  private fetch(path: string, init: RequestInit): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  }
}
