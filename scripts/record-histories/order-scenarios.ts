/** The corpus's order paths: each places orders through the HTTP API and names the runs to record. */
import {
  expectStatus,
  expectThat,
  getOrder,
  order,
  orderReaches,
  placeOrder,
  until,
  type Body,
  type Scenario,
} from './kit.js';

export const orderScenarios: Scenario[] = [
  {
    name: 'order happy path',
    async run(ctx) {
      const [a, b] = ctx.products(2);
      const id = await placeOrder(
        ctx,
        [
          { productId: a!.id, quantity: 2 },
          { productId: b!.id, quantity: 1 },
        ],
        'pm_card_visa',
      );
      await orderReaches(ctx, id, 'delivered', (o) => o.status === 'delivered');
      return [
        order(
          'order-happy-path.json',
          id,
          'Order placed with a working card: stock held, authorized, picked, captured, shipped, delivered, return window over.',
        ),
      ];
    },
  },
  {
    name: 'declined card, then another card',
    async run(ctx) {
      const [a] = ctx.products(1);
      const id = await placeOrder(ctx, [{ productId: a!.id, quantity: 1 }], 'pm_card_chargeDeclined');
      await orderReaches(ctx, id, 'declined', (o) => o.payment.step === 'declined');
      const paid = await ctx.http(`/api/orders/${id}/payment`, {
        method: 'POST',
        json: { paymentMethod: 'pm_card_visa' },
      });
      expectStatus(paid, 200, 'paying with another card');
      await orderReaches(ctx, id, 'delivered', (o) => o.status === 'delivered');
      return [
        order(
          'order-declined-then-paid.json',
          id,
          'Card declined; the customer gives another card (update `providePaymentMethod`); delivered.',
        ),
      ];
    },
  },
  {
    name: '3-D Secure',
    async run(ctx) {
      const [a] = ctx.products(1);
      const id = await placeOrder(ctx, [{ productId: a!.id, quantity: 1 }], 'pm_card_authenticationRequired');
      const waiting = await orderReaches(ctx, id, 'requires_action', (o) => o.payment.step === 'requires_action');
      const confirmed = await ctx.http(`/simulated-payments/${waiting.payment.paymentId}/authenticate`, {
        method: 'POST',
        json: { outcome: 'succeed' },
      });
      expectStatus(confirmed, 200, 'confirming 3-D Secure');
      await orderReaches(ctx, id, 'delivered', (o) => o.status === 'delivered');
      return [
        order(
          'order-3ds.json',
          id,
          'Card needs 3-D Secure: the order waits, the bank page confirms (signal `paymentEvent`), delivered.',
        ),
      ];
    },
  },
  {
    name: 'backorder resolved by a restock',
    async run(ctx) {
      const product = await ctx.productWithStock('REPLAY-RESTOCK', {
        onHand: 1,
        restockThreshold: 2,
        restockQuantity: 10,
      });
      const id = await placeOrder(ctx, [{ productId: product.id, quantity: 2 }], 'pm_card_visa');
      const delivered = await orderReaches(ctx, id, 'delivered', (o) => o.status === 'delivered');
      expectThat(
        delivered.timeline.some((t: { type: string }) => t.type === 'backordered'),
        `order ${id} was never backordered: ${JSON.stringify(delivered.timeline)}`,
      );
      const events = (await ctx.client.workflow.getHandle(`order-${id}`).fetchHistory()).events ?? [];
      expectThat(
        events.some((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'stockArrived'),
        `order ${id} got its stock before the restock's stockArrived signal woke it (its retry timer won the race)`,
      );
      return [
        order(
          'order-backorder-restock.json',
          id,
          'A line is backordered; the order starts the `restock-<sku>` child workflow, is woken by it (signal `stockArrived`) and ships.',
        ),
        {
          file: 'restock.json',
          covers:
            'The restock workflow itself (`restock-REPLAY-RESTOCK`): requested → ordered → in transit → received on timers, then signals the waiting order.',
          workflowId: `restock-${product.sku}`,
          closedAs: 'COMPLETED',
        },
      ];
    },
  },
  {
    name: 'backorder timeout, partial shipment',
    async run(ctx) {
      const [a] = ctx.products(1);
      const never = await ctx.productWithStock('REPLAY-NEVER', { onHand: 0 });
      const id = await placeOrder(
        ctx,
        [
          { productId: a!.id, quantity: 1 },
          { productId: never.id, quantity: 3 },
        ],
        'pm_card_visa',
      );
      await orderReaches(ctx, id, 'backordered', (o) => o.status === 'backordered');
      const delivered = await orderReaches(ctx, id, 'delivered', (o) => o.status === 'delivered');
      const lines = delivered.lines.map((l: { status: string }) => l.status).join(',');
      expectThat(lines === 'shipped,cancelled', `order ${id} lines ended ${lines}, not shipped,cancelled`);
      return [
        order(
          'order-backorder-timeout-partial.json',
          id,
          'A line waits past MAX_BACKORDER_WAIT: it is cancelled, the rest ships with a partial capture.',
        ),
      ];
    },
  },
  {
    name: 'cancel before shipping',
    async run(ctx) {
      const [a] = ctx.products(1);
      const never = await ctx.productWithStock('REPLAY-CANCEL', { onHand: 0 });
      const id = await placeOrder(
        ctx,
        [
          { productId: a!.id, quantity: 1 },
          { productId: never.id, quantity: 1 },
        ],
        'pm_card_visa',
      );
      await orderReaches(ctx, id, 'backordered', (o) => o.status === 'backordered');
      const cancelled = await ctx.http(`/api/orders/${id}/cancel`, { method: 'POST' });
      expectStatus(cancelled, 200, 'cancelling');
      expectThat(cancelled.body.status === 'cancelled', `order ${id} is ${cancelled.body.status} after cancel`);
      return [
        order(
          'order-cancel-before-shipping.json',
          id,
          'The customer cancels a backordered order (update `cancelOrder`): hold released, wait ended, payment voided.',
        ),
      ];
    },
  },
  {
    name: 'refund after shipping',
    async run(ctx) {
      const [a, b] = ctx.products(2);
      const id = await placeOrder(
        ctx,
        [
          { productId: a!.id, quantity: 1 },
          { productId: b!.id, quantity: 2 },
        ],
        'pm_card_visa',
      );
      await orderReaches(ctx, id, 'shipped', (o) => o.status === 'shipped' || o.status === 'delivered');
      const refused = await ctx.http(`/api/orders/${id}/cancel`, { method: 'POST' });
      expectStatus(refused, 409, 'cancelling after shipping');
      const refund = await ctx.http(`/api/admin/orders/${id}/refund`, {
        method: 'POST',
        admin: true,
        json: { amountCents: b!.priceCents, reason: 'one item returned' },
      });
      expectStatus(refund, 200, 'refunding');
      await until(
        `order ${id} refunded`,
        () => getOrder(ctx, id),
        (o) => o.payment.refundedCents === b!.priceCents,
      );
      return [
        order(
          'order-refund-after-shipping.json',
          id,
          'Cancel after shipping is refused; an operator refunds one returned item within the return window (update `refundOrder`).',
        ),
      ];
    },
  },
  {
    name: 'force-cancel after shipping',
    async run(ctx) {
      const [a] = ctx.products(1);
      const id = await placeOrder(ctx, [{ productId: a!.id, quantity: 2 }], 'pm_card_visa');
      await orderReaches(ctx, id, 'shipped', (o) => o.status === 'shipped' || o.status === 'delivered');
      const cancelled = await ctx.http(`/api/admin/orders/${id}/force-cancel`, {
        method: 'POST',
        admin: true,
        json: { reason: 'fraud confirmed' },
      });
      expectStatus(cancelled, 200, 'force-cancelling after shipping');
      const end = await orderReaches(ctx, id, 'cancelled', (o) => o.status === 'cancelled');
      expectThat(
        end.payment.refundedCents === end.payment.capturedCents && end.payment.capturedCents > 0,
        `order ${id} refunded ${end.payment.refundedCents} of ${end.payment.capturedCents}`,
      );
      return [
        order(
          'order-force-cancel-after-shipping.json',
          id,
          'An operator force-cancels a shipped order (update `forceCancelOrder`): everything captured is refunded.',
        ),
      ];
    },
  },
  {
    name: 'payment timeout',
    async run(ctx) {
      const [a] = ctx.products(1);
      const id = await placeOrder(ctx, [{ productId: a!.id, quantity: 1 }]);
      const cancelled = await orderReaches(ctx, id, 'cancelled', (o) => o.status === 'cancelled');
      expectThat(cancelled.cancelReason === 'payment_timeout', `order ${id} cancelled for ${cancelled.cancelReason}`);
      return [
        order(
          'order-payment-timeout.json',
          id,
          'Placed without a payment method and never paid: cancelled after PAYMENT_TIMEOUT, stock released.',
        ),
      ];
    },
  },
  {
    name: 'an unpaid hold that lapsed',
    async run(ctx) {
      const [a, b] = ctx.products(2);
      const lines = [
        { productId: a!.id, quantity: 1 },
        { productId: b!.id, quantity: 2 },
      ];
      const id = await ctx.startOrder(lines, { unpaidHoldMs: 1_500 }, null);
      // Lines are pending before their first hold too: a lapse is a line_pending after a line_held.
      await orderReaches(
        ctx,
        id,
        'gave its holds back',
        (o) => o.timeline.filter((t: { type: string }) => t.type === 'line_pending').length === lines.length,
      );
      const paid = await ctx.http(`/api/orders/${id}/payment`, {
        method: 'POST',
        json: { paymentMethod: 'pm_card_visa' },
      });
      expectThat(paid.status < 300, `paying order ${id}: HTTP ${paid.status} ${JSON.stringify(paid.body)}`);
      await orderReaches(ctx, id, 'delivered', (o) => o.status === 'delivered');
      return [
        order(
          'order-unpaid-hold-lapsed.json',
          id,
          'Placed without a payment method: its holds lapse after UNPAID_HOLD_TIMEOUT (1.5s here) and the lines wait as pending; paid later, the stock is held again and the order is delivered.',
        ),
      ];
    },
  },
  {
    name: 'an order that continued as new',
    async run(ctx) {
      const [a] = ctx.products(1);
      const later = await ctx.productWithStock('REPLAY-LONG-WAIT', { onHand: 0 });
      // A retry every 100 ms and a short run: the wait continues as new within seconds.
      const id = await ctx.startOrder(
        [
          { productId: a!.id, quantity: 1 },
          { productId: later.id, quantity: 1 },
        ],
        { backorderRetryIntervalMs: 100, maxBackorderWaitMs: 120_000, historyEventsPerRun: 200 },
      );
      await until(
        `order ${id} continued as new`,
        () => getOrder(ctx, id),
        (o: Body) => Boolean(o?.timeline?.some((t: { type: string }) => t.type === 'continued_as_new')),
        90_000,
      );
      const stocked = await ctx.http(`/api/admin/products/${later.id}/inventory`, {
        method: 'PUT',
        admin: true,
        json: { onHand: 5, restockThreshold: 0, restockQuantity: 0 },
      });
      expectStatus(stocked, 200, 'adding stock');
      await orderReaches(ctx, id, 'delivered', (o) => o.status === 'delivered');
      const workflowId = `order-${id}`;
      const last = await ctx.client.workflow.getHandle(workflowId).describe();
      const history = await ctx.client.workflow.getHandle(workflowId, last.runId).fetchHistory();
      const firstRunId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.firstExecutionRunId;
      expectThat(Boolean(firstRunId) && firstRunId !== last.runId, `order ${id} never continued as new`);
      return [
        {
          file: 'order-continued-as-new.json',
          covers:
            'The first run of an order on a long backorder: placed, paid, waiting, then continued as new at HISTORY_EVENTS_PER_RUN (200 here) with its state and saga.',
          workflowId,
          runId: firstRunId!,
          closedAs: 'CONTINUED_AS_NEW',
        },
        {
          file: 'order-after-continue-as-new.json',
          covers:
            'The last run of that order: resumes the wait from the carried state, holds the stock that arrived, ships.',
          workflowId,
          runId: last.runId,
          closedAs: 'COMPLETED',
        },
      ];
    },
  },
  {
    name: 'an order stopped at a step, then retried',
    async run(ctx) {
      const frozen = await ctx.productWithStock('REPLAY-FROZEN', { onHand: 5 });
      await ctx.sql(`CREATE FUNCTION replay_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'maintenance: reservations are frozen'; END $$`);
      await ctx.sql(`CREATE TRIGGER replay_refuse_holds BEFORE INSERT ON reservations FOR EACH ROW
        WHEN (NEW.product_id = '${frozen.id}') EXECUTE FUNCTION replay_refuse()`);
      const id = await placeOrder(ctx, [{ productId: frozen.id, quantity: 1 }], 'pm_card_visa');
      await orderReaches(ctx, id, 'stopped at a step', (o) => o.flags.includes('step_failed'));
      await ctx.sql('DROP TRIGGER replay_refuse_holds ON reservations');
      expectStatus(
        await ctx.http(`/api/admin/orders/${id}/retry`, { method: 'POST', admin: true }),
        200,
        'retrying the step',
      );
      await orderReaches(ctx, id, 'delivered', (o) => o.status === 'delivered');
      return [
        order(
          'order-step-failed-then-retried.json',
          id,
          'The database refuses a hold for good (data_rejected): the order stops flagged step_failed and alerts the operators; an operator fixes it and retries the step (update `retryStep`); delivered.',
        ),
      ];
    },
  },
];
