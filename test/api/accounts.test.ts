import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/app.js';
import { address, newCart, productsInStock } from '../helpers/orders.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

const signUp = (email: string, as = stack.shopper()) =>
  stack.http('/api/auth/sign-up', { method: 'POST', json: { email, password: 'correct horse battery' }, as });

describe('accounts', () => {
  it('signs up, in and out with an HttpOnly, SameSite=Lax session cookie; passwords stored as argon2id', async () => {
    const me = stack.shopper();
    const up = await signUp('Grace@Example.com', me);
    expect(up.status).toBe(201);
    expect(up.body.customer).toMatchObject({ email: 'grace@example.com' });
    const cookie = up.headers.getSetCookie().find((c) => c.startsWith('sid='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i); // plain http here; over https (or TRUST_PROXY and X-Forwarded-Proto) it is Secure
    const row = await stack.db.prisma.customer.findUniqueOrThrow({ where: { email: 'grace@example.com' } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain('correct horse');

    expect((await stack.http('/api/me', { as: me })).body.customer.email).toBe('grace@example.com');
    const again = await signUp('grace@example.com');
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('email_taken');

    expect((await stack.http('/api/auth/sign-out', { method: 'POST', as: me })).status).toBe(204);
    expect((await stack.http('/api/me', { as: me })).body.customer).toBeNull();

    const wrong = await stack.http('/api/auth/sign-in', {
      method: 'POST',
      json: { email: 'grace@example.com', password: 'wrong horse battery' },
      as: me,
    });
    const unknown = await stack.http('/api/auth/sign-in', {
      method: 'POST',
      json: { email: 'nobody@example.com', password: 'correct horse battery' },
      as: me,
    });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body.error).toMatchObject({
        code: 'invalid_credentials',
        message: 'wrong e-mail address or password',
      });
    }
    const inAgain = await stack.http('/api/auth/sign-in', {
      method: 'POST',
      json: { email: 'GRACE@example.com', password: 'correct horse battery' },
      as: me,
    });
    expect(inAgain.status).toBe(200);
    // A new session id at sign-in: a cookie planted before it (fixation) is worth nothing after.
    expect(inAgain.headers.getSetCookie().find((c) => c.startsWith('sid='))).not.toBe(cookie);
  });

  it('refuses short passwords and bad addresses with 400', async () => {
    for (const json of [
      { email: 'short@example.com', password: 'seven77' },
      { email: 'not an address', password: 'long enough password' },
      { email: 'x@example.com', password: 'long enough password', admin: true },
    ]) {
      const res = await stack.http('/api/auth/sign-up', { method: 'POST', json });
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
  });
});

describe('signing in adopts the guest cart', () => {
  it('makes the guest cart the account’s when it has none, and finds it again on another device', async () => {
    const [a] = await productsInStock(stack, 1);
    await signUp('ada@example.com');
    const phone = stack.shopper();
    const cartId = await newCart(stack, { as: phone });
    await stack.http(`/api/carts/${cartId}/items`, {
      method: 'POST',
      json: { productId: a!.id, quantity: 2 },
      as: phone,
    });
    const signedIn = await stack.http('/api/auth/sign-in', {
      method: 'POST',
      json: { email: 'ada@example.com', password: 'correct horse battery' },
      as: phone,
    });
    expect(signedIn.body.cartId).toBe(cartId);

    const laptop = stack.shopper();
    const there = await stack.http('/api/auth/sign-in', {
      method: 'POST',
      json: { email: 'ada@example.com', password: 'correct horse battery' },
      as: laptop,
    });
    expect(there.body.cartId).toBe(cartId);
    expect((await stack.http(`/api/carts/${cartId}`, { as: laptop })).body.itemCount).toBe(2);
  });

  it('merges the guest’s lines into the account’s cart (quantities summed) and empties the guest cart', async () => {
    const [a, b] = await productsInStock(stack, 2);
    const laptop = stack.shopper();
    await signUp('barbara@example.com', laptop);
    const accountCart = await newCart(stack, { as: laptop });
    await stack.http(`/api/carts/${accountCart}/items`, {
      method: 'POST',
      json: { productId: a!.id, quantity: 1 },
      as: laptop,
    });

    const phone = stack.shopper();
    const guestCart = await newCart(stack, { as: phone });
    for (const [p, q] of [
      [a!, 2],
      [b!, 3],
    ] as const)
      await stack.http(`/api/carts/${guestCart}/items`, {
        method: 'POST',
        json: { productId: p.id, quantity: q },
        as: phone,
      });
    const signIn = () =>
      stack.http('/api/auth/sign-in', {
        method: 'POST',
        json: { email: 'barbara@example.com', password: 'correct horse battery' },
        as: phone,
      });
    expect((await signIn()).body.cartId).toBe(accountCart);
    // Signing in again merges nothing twice.
    expect((await signIn()).body.cartId).toBe(accountCart);
    const merged = (await stack.http(`/api/carts/${accountCart}`, { as: phone })).body;
    expect(Object.fromEntries(merged.lines.map((l: any) => [l.productId, l.quantity]))).toEqual({
      [a!.id]: 3,
      [b!.id]: 3,
    });
    expect((await stack.http(`/api/carts/${guestCart}`, { as: phone })).body.itemCount).toBe(0);
  });
});

describe("a customer's orders", () => {
  it('belong to them: customerId from the session, listed by GET /api/me/orders, readable signed in without a token', async () => {
    const [a] = await productsInStock(stack, 1);
    const me = stack.shopper();
    const up = await signUp('lin@example.com', me);
    const cartId = await newCart(stack, { as: me });
    await stack.http(`/api/carts/${cartId}/items`, { method: 'POST', json: { productId: a!.id, quantity: 1 }, as: me });
    const viaCart = await stack.http(`/api/carts/${cartId}/checkout`, {
      method: 'POST',
      json: { email: 'lin@example.com', shippingAddress: address },
      as: me,
    });
    const direct = await stack.http('/api/orders', {
      method: 'POST',
      json: { lines: [{ productId: a!.id, quantity: 1 }], email: 'lin@example.com', shippingAddress: address },
      as: me,
    });
    const ids = [direct.body.orderId, viaCart.body.orderId];
    const listed = await stack.http('/api/me/orders', { as: me });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((o: any) => o.orderId)).toEqual(ids);
    for (const id of ids) {
      const read = await stack.http(`/api/orders/${id}`, { as: { ...me, tokens: new Map() } });
      expect(read.status).toBe(200);
      expect(read.body.customerId).toBe(up.body.customer.id);
    }
    // Another customer sees none of them.
    const other = stack.shopper();
    await signUp('other@example.com', other);
    expect((await stack.http('/api/me/orders', { as: other })).body.items).toEqual([]);
    expect((await stack.http(`/api/orders/${ids[0]}`, { as: other })).status).toBe(404);
    const guest = await stack.http('/api/me/orders', { as: stack.shopper() });
    expect(guest.status).toBe(401);
    expect(guest.body.error.code).toBe('sign_in_required');
  });
});
