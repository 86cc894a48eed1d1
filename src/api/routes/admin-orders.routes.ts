import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listRestocks, restockSteps } from '../../db/restocks.store.js';
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

/** Operators: restocks with their steps, refunds and cancellations. Needs the admin token. */
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
        params: OrderIdParams,
        response: { 200: Order, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => orders.cancel(request.params.id.toLowerCase(), 'operator'),
  );
};
