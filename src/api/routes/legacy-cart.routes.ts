import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { removeItemUpdate } from '../../contracts/cart.contract.js';
import type { Config } from '../../config.js';
import type { CartGateway } from '../carts/cart-gateway.js';
import { checkout } from '../carts/checkout.js';
import type { OrderAccess } from '../identity/order-access.js';
import { claimCart, customerOf, newCartId, requireCart } from '../identity/sessions.js';
import type { OrderGateway } from '../orders/order-gateway.js';
import { CheckoutBody, OrderAccepted } from '../schemas/order.schemas.js';
import { errors } from '../schemas/common.js';
import { Cart, IdempotencyHeaders, LegacyAddItemBody } from '../schemas/cart.schemas.js';
import { Type } from 'typebox';

const tags = ['carts (es-cqrs-shopping-cart routes)'];
const CartIdParams = Type.Object({ cartId: Type.String({ format: 'uuid' }) });

/**
 * The routes of es-cqrs-shopping-cart, working as its README shows, on the same cart workflows and
 * answering with the same cart shape as /api/carts.
 */
export const legacyCartRoutes: FastifyPluginAsyncTypebox<{
  carts: CartGateway;
  orders: OrderGateway;
  access: OrderAccess;
  config: Config;
}> = async (app, { carts, orders, access, config }) => {
  app.post(
    '/cart',
    {
      schema: {
        tags,
        summary: 'Start a cart (its id is made here; it belongs to this session)',
        description:
          'The seed let clients pick cart ids; here the server makes them, so nobody can guess or squat on one. Send an Idempotency-Key to make a retry find the same cart.',
        headers: IdempotencyHeaders,
        response: { 201: Cart, 200: Cart, ...errors(400, 429, 503) },
      },
    },
    async (request, reply) => {
      const cartId = newCartId(request, config.security.sessionSecret, request.headers['idempotency-key']);
      claimCart(request, cartId);
      const { cart, created } = await carts.create(cartId, { customerId: customerOf(request) });
      return reply
        .status(created ? 201 : 200)
        .header('location', `/cart/${cart.id}`)
        .send(cart);
    },
  );

  app.post(
    '/cart/:cartId',
    {
      schema: {
        tags,
        summary: 'Put a product in the cart',
        description:
          'quantity defaults to 1. vendorId, name and price are accepted and ignored: the catalog decides them.',
        params: CartIdParams,
        headers: IdempotencyHeaders,
        body: LegacyAddItemBody,
        response: { 200: Cart, ...errors(400, 404, 409, 422, 503) },
      },
    },
    async (request) =>
      carts.addItem(requireCart(request, request.params.cartId), {
        productId: request.body.productId.toLowerCase(),
        quantity: request.body.quantity ?? 1,
        idempotencyKey: request.headers['idempotency-key'],
      }),
  );

  app.delete(
    '/cart/:cartId/productId/:productId',
    {
      schema: {
        tags,
        summary: 'Remove a product from the cart',
        params: Type.Object({ cartId: Type.String({ format: 'uuid' }), productId: Type.String({ format: 'uuid' }) }),
        headers: IdempotencyHeaders,
        response: { 200: Cart, ...errors(400, 404, 409, 503) },
      },
    },
    async (request) =>
      carts.update(requireCart(request, request.params.cartId), removeItemUpdate, {
        productId: request.params.productId.toLowerCase(),
        idempotencyKey: request.headers['idempotency-key'],
      }),
  );

  app.get(
    '/cart/:cartId',
    { schema: { tags, summary: 'Get the cart', params: CartIdParams, response: { 200: Cart, ...errors(400, 404) } } },
    async (request) => carts.get(requireCart(request, request.params.cartId)),
  );

  app.post(
    '/cart/:cartId/checkout',
    {
      schema: {
        tags,
        summary: 'Check out: the cart becomes an order',
        description:
          'As POST /api/carts/{id}/checkout: 202 with the order (tracking) id; the same cart again answers with the same order.',
        params: CartIdParams,
        body: CheckoutBody,
        response: { 202: OrderAccepted, ...errors(400, 404, 409, 422) },
      },
    },
    async (request, reply) =>
      checkout(
        { carts, orders, access, config },
        request,
        request.body,
        requireCart(request, request.params.cartId),
        reply,
      ),
  );
};
