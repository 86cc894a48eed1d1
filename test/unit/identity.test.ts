import { describe, expect, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import { OrderAccess } from '../../src/api/identity/order-access.js';
import { newCartId } from '../../src/api/identity/sessions.js';
import { limitGroup } from '../../src/api/plugins/rate-limits.js';
import type { PrismaClient } from '../../src/db/prisma.js';

const access = (secret: string) => new OrderAccess({} as PrismaClient, secret);
const secret = 'a-secret-of-at-least-thirty-two-characters';
const orderId = '5f6c1f0e-8f55-4a7e-9d7c-0b4c9f1e2a3b';

describe('order access tokens', () => {
  it('are 43 base64url characters, the same for one order, different for another order or secret', () => {
    const token = access(secret).tokenFor(orderId);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(access(secret).tokenFor(orderId)).toBe(token);
    expect(access(secret).tokenFor(orderId.replace('5f', '6f'))).not.toBe(token);
    expect(access(`${secret}!`).tokenFor(orderId)).not.toBe(token);
  });

  it('match only the exact text: no other spelling of the same bytes, no prefix, no padding', () => {
    const a = access(secret);
    const token = a.tokenFor(orderId);
    expect(a.tokenMatches(orderId, token)).toBe(true);
    const last = token.at(-1)!;
    const sibling = `${token.slice(0, -1)}${String.fromCharCode(last.charCodeAt(0) ^ 1)}`;
    for (const wrong of [sibling, token.slice(1), `${token}=`, token.toUpperCase(), '', undefined])
      expect(a.tokenMatches(orderId, wrong)).toBe(false);
  });
});

describe('server-made cart ids', () => {
  const request = (sessionId: string) => ({ session: { sessionId } }) as unknown as FastifyRequest;

  it('are UUID v4s; with an Idempotency-Key, the same for one session and key, and for nobody else', () => {
    const id = newCartId(request('s1'), secret, 'key-1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newCartId(request('s1'), secret, 'key-1')).toBe(id);
    expect(newCartId(request('s2'), secret, 'key-1')).not.toBe(id);
    expect(newCartId(request('s1'), secret, 'key-2')).not.toBe(id);
    expect(newCartId(request('s1'), secret, undefined)).not.toBe(newCartId(request('s1'), secret, undefined));
  });
});

describe('rate-limit groups', () => {
  it('count changes by what they do, and never reads', () => {
    expect(limitGroup('POST', '/api/auth/sign-in')).toBe('signIn');
    expect(limitGroup('POST', '/api/orders')).toBe('orders');
    expect(limitGroup('POST', '/api/carts/:id/checkout')).toBe('orders');
    expect(limitGroup('POST', '/cart/:cartId/checkout')).toBe('orders');
    expect(limitGroup('POST', '/api/orders/:id/cancel')).toBe('orders');
    expect(limitGroup('POST', '/api/orders/:id/payment')).toBe('payments');
    expect(limitGroup('PATCH', '/api/carts/:id/items/:productId')).toBe('carts');
    expect(limitGroup('POST', '/cart')).toBe('carts');
    expect(limitGroup('GET', '/api/carts/:id')).toBeUndefined();
    expect(limitGroup('POST', '/api/admin/products')).toBeUndefined();
  });
});
