import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowType, workflowId } from '../../src/contracts/temporal.js';
import type { OrderWorkflowInput } from '../../src/contracts/order.contract.js';
import { OrderGateway } from '../../src/api/orders/order-gateway.js';
import { DomainError } from '../../src/domain/errors.js';
import { startTestStack, type TestStack } from '../helpers/app.js';
import { address, fastOrders, newCart, productWithStock, productsInStock, waitForOrder } from '../helpers/orders.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack(fastOrders);
});
afterAll(async () => {
  await stack?.close();
});

const checkoutBody = { email: 'barbara@example.com', shippingAddress: address, paymentMethod: 'pm_card_visa' };

async function cartWith(lines: [string, number][]) {
  const id = await newCart(stack);
  for (const [productId, quantity] of lines) {
    const res = await stack.http(`/api/carts/${id}/items`, { method: 'POST', json: { productId, quantity } });
    expect(res.status).toBe(200);
  }
  return id;
}

describe('checkout', () => {
  it('turns the cart into an order at catalog prices, closes the cart, and answers the same order again', async () => {
    const [a, b] = await productsInStock(stack, 2);
    const cartId = await cartWith([
      [a!.id, 2],
      [b!.id, 1],
    ]);
    const res = await stack.http(`/api/carts/${cartId}/checkout`, { method: 'POST', json: checkoutBody });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toEqual({
      orderId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      status: 'placed',
      statusUrl: `/api/orders/${res.body.orderId}`,
      accessToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      trackingUrl: `${stack.config.publicUrl}/?order=${res.body.orderId}#token=${res.body.accessToken}`,
    });
    expect(res.headers.get('location')).toBe(res.body.statusUrl);

    const cart = (await stack.http(`/api/carts/${cartId}`)).body;
    expect(cart).toMatchObject({ status: 'checked_out', orderId: res.body.orderId });
    const again = await stack.http(`/cart/${cartId}/checkout`, { method: 'POST', json: checkoutBody });
    expect(again.status).toBe(202);
    expect(again.body.orderId).toBe(res.body.orderId);
    const change = await stack.http(`/api/carts/${cartId}/items`, {
      method: 'POST',
      json: { productId: a!.id, quantity: 1 },
    });
    expect(change.status).toBe(409);
    expect(change.body.error.code).toBe('cart_closed');

    const order = await waitForOrder(stack, res.body.orderId, (o) => o.status === 'delivered');
    expect(order).toMatchObject({
      cartId,
      email: 'barbara@example.com',
      totalCents: 2 * a!.priceCents + b!.priceCents,
    });
    expect(order.lines.map((l: any) => [l.productId, l.quantity])).toEqual([
      [a!.id, 2],
      [b!.id, 1],
    ]);
  });

  it('gives concurrent checkouts of one cart the same single order', async () => {
    const [a] = await productsInStock(stack, 1);
    const cartId = await cartWith([[a!.id, 1]]);
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        stack.http(`/api/carts/${cartId}/checkout`, { method: 'POST', json: checkoutBody }),
      ),
    );
    for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(new Set(results.map((r) => r.body.orderId)).size).toBe(1);
    let orders = 0;
    for await (const _ of stack.client.workflow.list({
      query: `WorkflowType = "orderWorkflow" AND WorkflowId = "order-${results[0]!.body.orderId}"`,
    }))
      orders++;
    expect(orders).toBe(1);
  });

  it('answers with an order that a GET and a cancel right after the 202 both find', async () => {
    const [a] = await productsInStock(stack, 1);
    for (let i = 0; i < 3; i++) {
      const cartId = await cartWith([[a!.id, 1]]);
      const res = await stack.http(`/api/carts/${cartId}/checkout`, { method: 'POST', json: checkoutBody });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      const [read, cancelled] = await Promise.all([
        stack.http(`/api/orders/${res.body.orderId}`),
        stack.http(`/api/orders/${res.body.orderId}/cancel`, { method: 'POST' }),
      ]);
      expect(read.status, JSON.stringify(read.body)).toBe(200);
      expect(read.body.orderId ?? read.body.id).toBe(res.body.orderId);
      expect([200, 202], JSON.stringify(cancelled.body)).toContain(cancelled.status);
      await waitForOrder(stack, res.body.orderId, (o) => o.status === 'cancelled');
    }
  });

  it('an order accepted but not started yet (the server starts it a moment after the 202) takes a cancel sent at once', async () => {
    // The checkout answers once the cart has issued the order's start; Temporal carries it out a
    // moment later. Here that moment is made long: the read side has the accepted order, its
    // workflow starts 400 ms after the cancel is sent.
    const [a] = await productsInStock(stack, 1);
    const orders = new OrderGateway(stack.client, stack.db.prisma, stack.config);
    const input: OrderWorkflowInput = {
      orderId: randomUUID(),
      lines: [{ productId: a!.id, quantity: 1 }],
      email: 'late@example.com',
      customerId: null,
      cartId: null,
      shippingAddress: address,
      paymentMethod: 'pm_card_visa',
      currency: stack.config.currency,
      policy: stack.config.order,
    };
    const { sku, vendorId, priceCents } = a!;
    await orders.recordAccepted(input, [
      { productId: a!.id, sku, name: sku, vendorId, quantity: 1, unitPriceCents: priceCents },
    ]);
    expect(await orders.read(input.orderId)).toMatchObject({ source: 'read_side', order: { status: 'placed' } });
    const cancelling = orders.cancel(input.orderId, 'customer');
    await new Promise((resolve) => setTimeout(resolve, 400));
    await stack.client.workflow.start(WorkflowType.order, {
      workflowId: workflowId.order(input.orderId),
      taskQueue: stack.config.temporal.taskQueue,
      args: [input],
    });
    const { order } = await cancelling;
    expect(order).toMatchObject({ id: input.orderId, status: 'cancelled' });

    // An order nobody accepted is not waited for: not found at once.
    const started = Date.now();
    const stranger = await orders.cancel(randomUUID(), 'customer').catch((err: unknown) => err);
    expect(stranger).toBeInstanceOf(DomainError);
    expect((stranger as DomainError).code).toBe('order_not_found');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('refuses an empty cart (422 cart_empty) and a cart that never existed (404)', async () => {
    const empty = (await stack.http('/api/carts', { method: 'POST' })).body.id;
    const res = await stack.http(`/api/carts/${empty}/checkout`, { method: 'POST', json: checkoutBody });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('cart_empty');
    const missing = await stack.http(`/api/carts/${randomUUID()}/checkout`, { method: 'POST', json: checkoutBody });
    expect(missing.status).toBe(404);
  });
});

describe('placing orders directly', () => {
  it('gives the same order for the same Idempotency-Key, and refuses the key for a different order', async () => {
    const [a, b] = await productsInStock(stack, 2);
    const body = { lines: [{ productId: a!.id, quantity: 1 }], email: 'key@example.com', shippingAddress: address };
    const first = await stack.http('/api/orders', {
      method: 'POST',
      json: body,
      headers: { 'idempotency-key': 'order-key-1' },
    });
    const again = await stack.http('/api/orders', {
      method: 'POST',
      json: body,
      headers: { 'idempotency-key': 'order-key-1' },
    });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body.orderId).toBe(first.body.orderId);
    const other = await stack.http('/api/orders', {
      method: 'POST',
      json: { ...body, lines: [{ productId: b!.id, quantity: 1 }] },
      headers: { 'idempotency-key': 'order-key-1' },
    });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    // Another customer's identical key is another order.
    const someoneElse = await stack.http('/api/orders', {
      method: 'POST',
      json: { ...body, email: 'other@example.com' },
      headers: { 'idempotency-key': 'order-key-1' },
    });
    expect(someoneElse.body.orderId).not.toBe(first.body.orderId);
  });

  it('refuses malformed addresses, emails and lines with 400, and starts nothing', async () => {
    const a = await productWithStock(stack, 'MALFORMED-ONLY', { onHand: 5 });
    const good = { lines: [{ productId: a!.id, quantity: 1 }], email: 'ok@example.com', shippingAddress: address };
    const cases: [object, string][] = [
      [{ ...good, shippingAddress: { ...address, country: 'XX' } }, 'shippingAddress.country'],
      [{ ...good, shippingAddress: { ...address, country: 'gb' } }, 'shippingAddress.country'],
      [{ ...good, shippingAddress: { ...address, postalCode: undefined } }, 'shippingAddress.postalCode'],
      [{ ...good, shippingAddress: { ...address, name: '   ' } }, 'shippingAddress.name'],
      [{ ...good, shippingAddress: { ...address, phone: '1' } }, 'shippingAddress.phone'],
      [{ ...good, email: 'not-an-email' }, 'email'],
      [{ ...good, lines: [] }, 'lines'],
      [{ ...good, lines: [{ productId: a!.id, quantity: 0 }] }, 'lines.0.quantity'],
      [{ ...good, lines: [{ productId: 'nope', quantity: 1 }] }, 'lines.0.productId'],
      [{ ...good, paymentMethod: 'visa' }, 'paymentMethod'],
    ];
    for (const [body, field] of cases) {
      const res = await stack.http('/api/orders', { method: 'POST', json: body });
      expect(res.status, field).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details[0].field, JSON.stringify(res.body)).toBe(field);
    }
    const dup = await stack.http('/api/orders', {
      method: 'POST',
      json: { ...good, lines: [good.lines[0], good.lines[0]] },
    });
    // Well formed, but one product twice: 422.
    expect(dup.status).toBe(422);
    expect(dup.body.error.code).toBe('duplicate_lines');
    const unknown = await stack.http('/api/orders', {
      method: 'POST',
      json: { ...good, lines: [{ productId: randomUUID(), quantity: 1 }] },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('product_not_found');
    const badCheckout = await stack.http(`/api/carts/${randomUUID()}/checkout`, {
      method: 'POST',
      json: { ...checkoutBody, email: 'x' },
    });
    expect(badCheckout.status).toBe(400);
    expect(
      await stack.db.prisma.order.count({ where: { email: { in: ['ok@example.com', 'not-an-email', 'x'] } } }),
    ).toBe(0);
    expect(await stack.db.prisma.reservation.count({ where: { productId: a!.id } })).toBe(0);
  });
});
