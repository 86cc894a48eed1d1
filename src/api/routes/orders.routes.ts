import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Config } from '../../config.js';
import type { OrderGateway } from '../orders/order-gateway.js';
import { errors } from '../schemas/common.js';
import { IdempotencyHeaders } from '../schemas/cart.schemas.js';
import { Order, OrderAccepted, OrderIdParams, PaymentMethod, PlaceOrderBody } from '../schemas/order.schemas.js';
import { Type } from 'typebox';
import { accepted } from '../carts/checkout.js';
import { ORDER_TOKEN_HEADER, type OrderAccess } from '../identity/order-access.js';
import { customerOf } from '../identity/sessions.js';
import { checkOrderCaps } from '../orders/order-caps.js';
import type { PrismaClient } from '../../db/prisma.js';
import { DomainError, ErrorCode } from '../../domain/errors.js';

const tags = ['orders'];

/** Orders: each one a workflow, `order-<id>`, for its whole life; the order id is the tracking id. */
export const orderRoutes: FastifyPluginAsyncTypebox<{
  orders: OrderGateway;
  access: OrderAccess;
  prisma: PrismaClient;
  config: Config;
}> = async (app, { orders, access, prisma, config }) => {
  // Every route on one order: its customer signed in, or its access token; anyone else gets the 404
  // a missing order gets.
  const OrderToken = Type.Object({
    [ORDER_TOKEN_HEADER]: Type.Optional(
      Type.String({ maxLength: 200, description: 'The accessToken the order was placed with (guests)' }),
    ),
  });
  app.addHook('preHandler', async (request) => {
    const id = (request.params as { id?: string }).id;
    if (id && request.routeOptions.url?.startsWith('/api/orders/:id')) await access.require(request, id.toLowerCase());
  });

  app.post(
    '/api/orders',
    {
      schema: {
        tags,
        summary: 'Place an order',
        description:
          'Answers at once with the tracking id; follow statusUrl. The same Idempotency-Key (per email) gives the same order. Nothing is started unless every product exists.',
        headers: IdempotencyHeaders,
        body: PlaceOrderBody,
        response: { 202: OrderAccepted, ...errors(400, 404, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const customerId = customerOf(request);
      await checkOrderCaps(prisma, config.security.caps, { customerId, email: request.body.email }, request.body.lines);
      const { orderId, status } = await orders.place(
        { ...request.body, customerId: customerId ?? undefined },
        request.headers['idempotency-key'],
      );
      request.log.info({ orderId, status }, 'order placed');
      const answer = accepted(access, config, orderId, status);
      return reply.status(202).header('location', answer.statusUrl).send(answer);
    },
  );

  app.get(
    '/api/track/:id',
    {
      schema: {
        tags,
        summary: 'Track an order by its id alone: where it is, nothing about who or what',
        description:
          'For a parcel-tracking page: status and dates only. Everything else (e-mail, address, lines, payment) needs the order: GET /api/orders/{id} with its token or signed in as its customer.',
        params: OrderIdParams,
        response: {
          200: Type.Object({
            orderId: Type.String(),
            status: Type.String(),
            placedAt: Type.String(),
            updatedAt: Type.String(),
          }),
          ...errors(400, 404, 503),
        },
      },
    },
    async (request) => {
      const id = request.params.id.toLowerCase();
      const row = await prisma.order.findUnique({
        where: { id },
        select: { status: true, createdAt: true, updatedAt: true },
      });
      if (!row) throw new DomainError(ErrorCode.OrderNotFound, `no order ${id}`);
      return {
        orderId: id,
        status: row.status,
        placedAt: row.createdAt.toISOString(),
        updatedAt: row.updatedAt.toISOString(),
      };
    },
  );

  app.get(
    '/api/orders/:id',
    {
      schema: {
        tags,
        summary: "An order's status, lines, payment and timeline",
        description:
          "Live, from the order's workflow. When that cannot answer within ANSWER_WITHIN (Temporal or its workers away), or is gone (a closed order past Temporal's retention), from the read side (header `X-Order-Source: read-side`): the view the order's last step saved. 503 only when neither can answer.",
        params: OrderIdParams,
        headers: OrderToken,
        response: { 200: Order, ...errors(400, 404, 503) },
      },
    },
    async (request, reply) => {
      const { order, source } = await orders.read(request.params.id.toLowerCase());
      if (source === 'read_side') void reply.header('x-order-source', 'read-side');
      return order;
    },
  );

  app.post(
    '/api/orders/:id/cancel',
    {
      schema: {
        tags,
        summary: 'Cancel an order (until it ships)',
        description:
          'Answers 200 with the cancelled order once stock is released and the payment voided. When that takes longer than ANSWER_WITHIN (5 s), 202 with the order as it is: `cancelRequested` set, and `stuck` naming what the cancellation waits on; follow GET /api/orders/:id. After shipping: 409 order_not_cancellable. 503 service_unavailable (with Retry-After) when the order did not take the request in time: send it again.',
        params: OrderIdParams,
        headers: OrderToken,
        response: { 200: Order, 202: Order, ...errors(400, 404, 409, 429, 503) },
      },
    },
    async (request, reply) => {
      const { order, done } = await orders.cancel(request.params.id.toLowerCase(), 'customer');
      return reply.status(done ? 200 : 202).send(order);
    },
  );

  app.post(
    '/api/orders/:id/payment',
    {
      schema: {
        tags,
        summary: 'Give a waiting order a payment method',
        description:
          'For an order placed without one, declined, or waiting on 3-D Secure. Answers with the outcome of the attempt.',
        params: OrderIdParams,
        headers: OrderToken,
        body: Type.Object({ paymentMethod: PaymentMethod }, { additionalProperties: false }),
        response: { 200: Order, ...errors(400, 404, 409, 429) },
      },
    },
    async (request) => orders.providePayment(request.params.id.toLowerCase(), request.body.paymentMethod),
  );
};
