import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { removeItemUpdate } from '../../contracts/cart.contract.js';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import type { CartGateway } from '../carts/cart-gateway.js';
import { errors } from '../schemas/common.js';
import { Cart, IdempotencyHeaders, LegacyAddItemBody } from '../schemas/cart.schemas.js';
import { Type } from 'typebox';

const tags = ['carts (es-cqrs-shopping-cart routes)'];
const CartIdParams = Type.Object({ cartId: Type.String({ format: 'uuid' }) });

/**
 * The routes of es-cqrs-shopping-cart, working as its README shows, on the same cart workflows and
 * answering with the same cart shape as /api/carts.
 */
export const legacyCartRoutes: FastifyPluginAsyncTypebox<{ carts: CartGateway }> = async (app, { carts }) => {
  app.post(
    '/cart/:cartId',
    {
      schema: {
        tags,
        summary: 'Put a product in the cart (creates the cart on first use)',
        description:
          'quantity defaults to 1. vendorId, name and price are accepted and ignored: the catalog decides them.',
        params: CartIdParams,
        headers: IdempotencyHeaders,
        body: LegacyAddItemBody,
        response: { 200: Cart, ...errors(400, 404, 409, 422, 503) },
      },
    },
    async (request) =>
      carts.addItem(request.params.cartId.toLowerCase(), {
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
      carts.update(request.params.cartId.toLowerCase(), removeItemUpdate, {
        productId: request.params.productId.toLowerCase(),
        idempotencyKey: request.headers['idempotency-key'],
      }),
  );

  app.get(
    '/cart/:cartId',
    { schema: { tags, summary: 'Get the cart', params: CartIdParams, response: { 200: Cart, ...errors(400, 404) } } },
    async (request) => carts.get(request.params.cartId.toLowerCase()),
  );

  app.post(
    '/cart/:cartId/checkout',
    {
      schema: {
        tags,
        summary: 'Check out (arrives with orders)',
        params: CartIdParams,
        response: { ...errors(400, 404, 501) },
      },
    },
    async () => {
      throw new DomainError(ErrorCode.NotImplemented, 'checkout arrives with orders; the cart is kept as it is');
    },
  );
};
