/** The corpus's cart and catalog-import paths: each drives the HTTP API and names the runs to record. */
import {
  address,
  durations,
  expectStatus,
  expectThat,
  newCart,
  order,
  orderReaches,
  until,
  type Scenario,
} from './kit.js';

export const cartScenarios: Scenario[] = [
  {
    name: 'a cart through checkout',
    async run(ctx) {
      const [a, b] = ctx.products(2);
      const cartId = await newCart(ctx);
      for (const [p, quantity] of [
        [a!, 2],
        [b!, 1],
      ] as const) {
        expectStatus(
          await ctx.http(`/api/carts/${cartId}/items`, { method: 'POST', json: { productId: p.id, quantity } }),
          200,
          'adding to the cart',
        );
      }
      const checkout = await ctx.http(`/api/carts/${cartId}/checkout`, {
        method: 'POST',
        json: { email: 'replay@example.com', shippingAddress: address, paymentMethod: 'pm_card_visa' },
      });
      expectStatus(checkout, 202, 'checking out');
      const orderId = checkout.body.orderId as string;
      await orderReaches(ctx, orderId, 'delivered', (o) => o.status === 'delivered');
      return [
        {
          file: 'cart-checkout.json',
          covers:
            'A cart made by POST /api/carts, two items, checkout: the order starts as a child workflow and the cart closes.',
          workflowId: `cart-${cartId}`,
          closedAs: 'COMPLETED',
        },
        order(
          'order-from-checkout.json',
          orderId,
          'The order that checkout started, as a child of the cart, to delivery.',
        ),
      ];
    },
  },
  {
    name: 'a cart that continued as new',
    async run(ctx) {
      const products = ctx.products(3);
      const cartId = await newCart(ctx);
      for (let i = 0; i < 6; i++) {
        const res = await ctx.http(`/api/carts/${cartId}/items`, {
          method: 'POST',
          json: { productId: products[i % 3]!.id, quantity: 1 },
        });
        expectStatus(res, 200, `adding item ${i + 1} to the cart`);
      }
      const checkout = await ctx.http(`/api/carts/${cartId}/checkout`, {
        method: 'POST',
        json: { email: 'replay@example.com', shippingAddress: address, paymentMethod: 'pm_card_visa' },
      });
      expectStatus(checkout, 202, 'checking out');
      const workflowId = `cart-${cartId}`;
      const last = await ctx.client.workflow.getHandle(workflowId).describe();
      const history = await ctx.client.workflow.getHandle(workflowId, last.runId).fetchHistory();
      const firstRunId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.firstExecutionRunId;
      expectThat(Boolean(firstRunId) && firstRunId !== last.runId, `cart ${cartId} never continued as new`);
      return [
        {
          file: 'cart-continued-as-new.json',
          covers: `The first run of a cart that continues as new after CART_MAX_UPDATES_PER_RUN (${durations.CART_MAX_UPDATES_PER_RUN}) updates, carrying its state.`,
          workflowId,
          runId: firstRunId!,
          closedAs: 'CONTINUED_AS_NEW',
        },
        {
          file: 'cart-after-continue-as-new.json',
          covers: 'The last run of that cart: starts from the carried state, takes more items, checks out.',
          workflowId,
          runId: last.runId,
          closedAs: 'COMPLETED',
        },
      ];
    },
  },
  {
    name: 'a cart priced by the API',
    async run(ctx) {
      const [a, b] = ctx.products(2);
      const cartId = await newCart(ctx);
      const items = `/api/carts/${cartId}/items`;
      const changes = [
        () => ctx.http(items, { method: 'POST', json: { productId: a!.id, quantity: 2 } }),
        () => ctx.http(items, { method: 'POST', json: { productId: b!.id, quantity: 1 } }),
        () => ctx.http(`${items}/${a!.id}`, { method: 'PATCH', json: { quantity: 3 } }),
        () => ctx.http(`${items}/${b!.id}`, { method: 'DELETE' }),
      ];
      // One at a time, in this order: the fourth change is the run's last (CART_MAX_UPDATES_PER_RUN).
      for (const [i, change] of changes.entries()) expectStatus(await change(), 200, `change ${i + 1} to the cart`);
      const workflowId = `cart-${cartId}`;
      const history = await ctx.client.workflow.getHandle(workflowId).fetchHistory();
      const firstRunId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.firstExecutionRunId;
      return [
        {
          file: 'cart-priced-by-api.json',
          covers: `Changes priced by the API (add, add, set, remove), each applied in the workflow task that accepted it, with no activity; the run continues as new after CART_MAX_UPDATES_PER_RUN (${durations.CART_MAX_UPDATES_PER_RUN}).`,
          workflowId,
          runId: firstRunId!,
          closedAs: 'CONTINUED_AS_NEW',
        },
      ];
    },
  },
  {
    name: 'an abandoned cart',
    async run(ctx) {
      const [a] = ctx.products(1);
      const cartId = await newCart(ctx, { email: 'replay@example.com' });
      expectStatus(
        await ctx.http(`/api/carts/${cartId}/items`, { method: 'POST', json: { productId: a!.id, quantity: 1 } }),
        200,
        'adding to the cart',
      );
      await until(
        `cart ${cartId} abandoned`,
        async () => (await ctx.http(`/api/carts/${cartId}`)).body,
        (c) => c?.status === 'abandoned',
      );
      return [
        {
          file: 'cart-abandoned.json',
          covers: `A cart left alone: one reminder after CART_IDLE_TIMEOUT (${durations.CART_IDLE_TIMEOUT}), abandoned after CART_ABANDON_AFTER (${durations.CART_ABANDON_AFTER}).`,
          workflowId: `cart-${cartId}`,
          closedAs: 'COMPLETED',
        },
      ];
    },
  },
  {
    name: 'catalog import',
    async run(ctx) {
      const products = ctx.products(3);
      const rows = [
        ...products.map((p, i) => ({ sku: p.sku, priceCents: p.priceCents + 100, onHand: 200 + i })),
        { sku: 'REPLAY-NO-SUCH-SKU', priceCents: 500 },
      ];
      const started = await ctx.http('/api/admin/imports', { method: 'POST', admin: true, json: { rows } });
      expectStatus(started, 202, 'starting the import');
      const done = await until(
        `import ${started.body.importId}`,
        async () => (await ctx.http(started.body.statusUrl, { admin: true })).body,
        (p) => p?.status === 'completed',
      );
      expectThat(done.updated === 3 && done.failed.length === 1, `import ended ${JSON.stringify(done)}`);
      return [
        {
          file: 'catalog-import.json',
          covers: 'A bulk price and stock import of four rows, one of them an unknown SKU.',
          workflowId: started.body.workflowId,
          closedAs: 'COMPLETED',
        },
      ];
    },
  },
];
