import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listOrders } from '../../db/orders.store.js';
import { listRestocks, restockSteps } from '../../db/restocks.store.js';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import { orderFlags, orderStatuses } from '../../domain/order.js';
import type { AppDeps } from '../app.js';
import type { OrderGateway } from '../orders/order-gateway.js';
import { adminSecurity, errors } from '../schemas/common.js';
import { Order, OrderIdParams } from '../schemas/order.schemas.js';

const Restock = Type.Object(
  {
    id: Type.String(),
    productId: Type.String(),
    sku: Type.String(),
    quantity: Type.Integer(),
    status: Type.Enum([...restockSteps]),
    steps: Type.Array(Type.Object({ step: Type.Enum([...restockSteps]), at: Type.String({ format: 'date-time' }) })),
    requestedBy: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    receivedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { title: 'Restock' },
);

const OrderSummary = Type.Object(
  {
    id: Type.String(),
    status: Type.Enum([...orderStatuses]),
    cancelReason: Type.Union([Type.String(), Type.Null()]),
    email: Type.String(),
    customerId: Type.Union([Type.String(), Type.Null()]),
    cartId: Type.Union([Type.String(), Type.Null()]),
    currency: Type.String(),
    totalCents: Type.Integer(),
    authorizedCents: Type.Integer(),
    capturedCents: Type.Integer(),
    refundedCents: Type.Integer(),
    flags: Type.Array(Type.Enum([...orderFlags])),
    lineCount: Type.Integer(),
    placedAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { title: 'OrderSummary', description: 'An order as the read side has it (written by its workflow after each step)' },
);

/** Operators: orders and restocks, refunds, retries and cancellations. Needs the admin token. */
export const adminOrderRoutes: FastifyPluginAsyncTypebox<AppDeps & { orders: OrderGateway }> = async (
  app,
  { prisma, orders },
) => {
  const tags = ['admin'];

  app.get(
    '/api/admin/restocks',
    {
      schema: {
        tags,
        security: adminSecurity,
        summary: 'Restocks, newest first, with their steps',
        querystring: Type.Object(
          {
            sku: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            status: Type.Optional(Type.Enum([...restockSteps])),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(Restock) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => ({ items: await listRestocks(prisma, { ...request.query, limit: request.query.limit ?? 50 }) }),
  );

  app.get(
    '/api/admin/orders',
    {
      schema: {
        tags,
        security: adminSecurity,
        summary: 'Orders from the read side, newest first, with filters',
        description:
          'Filter by `status` (repeat it for several), `customerId`, `email`, `flag` (orders that need an operator) and the time of placement (`placedFrom` inclusive, `placedTo` exclusive). Page with `limit` and the `nextCursor` of the previous page. Summaries trail their workflow by one step at most; `GET /api/orders/:id` is the live view.',
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Array(Type.Enum([...orderStatuses]), { maxItems: orderStatuses.length })),
            customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            email: Type.Optional(Type.String({ minLength: 3, maxLength: 254 })),
            flag: Type.Optional(Type.Enum([...orderFlags])),
            placedFrom: Type.Optional(Type.String({ format: 'date-time' })),
            placedTo: Type.Optional(Type.String({ format: 'date-time' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(OrderSummary), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
          ...errors(400, 401, 403, 422),
          // 422: invalid_cursor, invalid_date_range
        },
      },
    },
    async (request) => {
      const { placedFrom, placedTo, ...rest } = request.query;
      const from = placedFrom ? new Date(placedFrom) : undefined;
      const to = placedTo ? new Date(placedTo) : undefined;
      if (from && to && from > to)
        throw new DomainError(ErrorCode.InvalidDateRange, 'placedFrom must not be after placedTo', {
          fields: ['placedFrom', 'placedTo'],
        });
      return listOrders(prisma, { ...rest, placedFrom: from, placedTo: to, limit: rest.limit ?? 50 });
    },
  );

  app.post(
    '/api/admin/orders/:id/retry-payment',
    {
      schema: {
        tags,
        security: adminSecurity,
        summary: 'Retry a payment step that stopped (the order is flagged payment_stuck)',
        description:
          'A payment step (authorize, capture, renew) retries the provider for PAYMENT_STEP_TIMEOUT, then stops and waits for an operator. Fix the cause (the provider is back, the API key is valid again), then retry here. 409 payment_not_stuck when no step is waiting.',
        params: OrderIdParams,
        response: { 200: Order, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => orders.retryPaymentStep(request.params.id.toLowerCase()),
  );

  app.post(
    '/api/admin/orders/:id/retry',
    {
      schema: {
        tags,
        security: adminSecurity,
        summary: 'Retry the step an order stopped at (flags payment_stuck, step_failed, compensation_stuck)',
        description:
          'An order that cannot get past a step says which one and why (`stuck` in GET /api/orders/:id, its timeline, the flag). Fix the cause (the database refused the data, the provider key was revoked, ...), then retry here: answers once the step has been tried again. 409 nothing_to_retry when no step waits for an operator (a step flagged step_retrying resumes by itself).',
        params: OrderIdParams,
        response: { 200: Order, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => orders.retryStep(request.params.id.toLowerCase()),
  );

  app.post(
    '/api/admin/orders/:id/force-cancel',
    {
      schema: {
        tags,
        security: adminSecurity,
        summary: 'Cancel an order whatever its state, with full compensation',
        description:
          'Before shipping: stock released, payment voided, waits ended (as a cancel). After shipping: everything captured and not yet refunded is refunded; shipped goods are not taken back into stock. Works while a step is stuck. 200 with the cancelled order; after ANSWER_WITHIN (5 s), 202 with the order as it is while the compensations still run: `cancelRequested` set and `stuck` naming what they wait on (a payment call retrying, a compensation for an operator to retry); follow GET /api/orders/:id. 409 order_not_cancellable once the order has closed.',
        params: OrderIdParams,
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 200: Order, 202: Order, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { order, done } = await orders.forceCancel(request.params.id.toLowerCase(), request.body.reason);
      return reply.status(done ? 200 : 202).send(order);
    },
  );

  app.post(
    '/api/admin/orders/:id/refund',
    {
      schema: {
        tags,
        security: adminSecurity,
        summary: 'Refund part or all of what an order paid (a return)',
        description:
          'Within the return window after shipping; at most what was captured and not yet refunded (409 refund_not_allowed).',
        params: OrderIdParams,
        body: Type.Object(
          { amountCents: Type.Integer({ minimum: 1 }), reason: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: { 200: Order, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => orders.refund(request.params.id.toLowerCase(), request.body.amountCents, request.body.reason),
  );

  app.post(
    '/api/admin/orders/:id/cancel',
    {
      schema: {
        tags,
        security: adminSecurity,
        summary: 'Cancel an order as the shop (until it ships), with every compensation',
        description: 'As the customer’s cancel: 200 when done, 202 with the order as it is after ANSWER_WITHIN.',
        params: OrderIdParams,
        response: { 200: Order, 202: Order, ...errors(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      const { order, done } = await orders.cancel(request.params.id.toLowerCase(), 'operator');
      return reply.status(done ? 200 : 202).send(order);
    },
  );
};
