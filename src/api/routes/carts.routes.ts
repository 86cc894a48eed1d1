import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  adjustQuantityUpdate,
  clearCartUpdate,
  removeItemUpdate,
  setQuantityUpdate,
} from '../../contracts/cart.contract.js';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import type { Config } from '../../config.js';
import type { CartGateway } from '../carts/cart-gateway.js';
import { checkout } from '../carts/checkout.js';
import type { OrderGateway } from '../orders/order-gateway.js';
import { CheckoutBody, OrderAccepted } from '../schemas/order.schemas.js';
import { errors } from '../schemas/common.js';
import {
  AddItemBody,
  Cart,
  CartIdParams,
  CartLineParams,
  ChangeLineBody,
  CreateCartBody,
  IdempotencyHeaders,
} from '../schemas/cart.schemas.js';

const tags = ['carts'];
/** Errors any cart change may answer with. */
const changeErrors = errors(400, 404, 409, 422, 503);

/** Carts: each a long-running Temporal workflow, `cart-<id>`, created on first use. */
export const cartRoutes: FastifyPluginAsyncTypebox<{
  carts: CartGateway;
  orders: OrderGateway;
  config: Config;
}> = async (app, { carts, orders, config }) => {
  app.post(
    '/api/carts',
    {
      schema: {
        tags,
        summary: 'Create a cart',
        description:
          'Answers 201 with a new cart (a random UUID unless you bring one); 200 when your cartId is an active cart already.',
        body: CreateCartBody,
        response: { 201: Cart, 200: Cart, ...errors(400, 409) },
      },
      // `curl -X POST /api/carts` with no body at all is a plain "give me a cart".
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const { cartId = randomUUID(), customerId, email } = request.body;
      const { cart, created } = await carts.create(cartId.toLowerCase(), { customerId, email });
      return reply
        .status(created ? 201 : 200)
        .header('location', `/api/carts/${cart.id}`)
        .send(cart);
    },
  );

  app.get(
    '/api/carts/:id',
    {
      schema: {
        tags,
        summary: 'Get a cart',
        description: 'Prices older than CART_REPRICE_AFTER are refreshed from the catalog first.',
        params: CartIdParams,
        response: { 200: Cart, ...errors(400, 404) },
      },
    },
    async (request) => carts.get(request.params.id.toLowerCase()),
  );

  app.post(
    '/api/carts/:id/items',
    {
      schema: {
        tags,
        summary: 'Add a product (creates the cart on first use)',
        description:
          'Name, price and vendor come from the catalog. Adding a product already in the cart adds to its quantity.',
        params: CartIdParams,
        headers: IdempotencyHeaders,
        body: AddItemBody,
        response: { 200: Cart, ...changeErrors },
      },
    },
    async (request) =>
      carts.addItem(request.params.id.toLowerCase(), {
        ...request.body,
        idempotencyKey: request.headers['idempotency-key'],
      }),
  );

  app.patch(
    '/api/carts/:id/items/:productId',
    {
      schema: {
        tags,
        summary: "Set a line's quantity, or change it by a delta",
        params: CartLineParams,
        headers: IdempotencyHeaders,
        body: ChangeLineBody,
        response: { 200: Cart, ...changeErrors },
      },
    },
    async (request) => {
      const id = request.params.id.toLowerCase();
      const productId = request.params.productId.toLowerCase();
      const idempotencyKey = request.headers['idempotency-key'];
      const { quantity, delta } = request.body;
      if (quantity !== undefined) return carts.update(id, setQuantityUpdate, { productId, quantity, idempotencyKey });
      if (delta !== undefined && delta !== 0)
        return carts.update(id, adjustQuantityUpdate, { productId, delta, idempotencyKey });
      throw new DomainError(ErrorCode.ValidationFailed, 'give exactly one of quantity (0-99) or a non-zero delta');
    },
  );

  app.delete(
    '/api/carts/:id/items/:productId',
    {
      schema: {
        tags,
        summary: 'Remove a line (removing a product not in the cart changes nothing)',
        params: CartLineParams,
        headers: IdempotencyHeaders,
        response: { 200: Cart, ...changeErrors },
      },
    },
    async (request) =>
      carts.update(request.params.id.toLowerCase(), removeItemUpdate, {
        productId: request.params.productId.toLowerCase(),
        idempotencyKey: request.headers['idempotency-key'],
      }),
  );

  app.delete(
    '/api/carts/:id/items',
    {
      schema: {
        tags,
        summary: 'Empty the cart',
        params: CartIdParams,
        headers: IdempotencyHeaders,
        response: { 200: Cart, ...changeErrors },
      },
    },
    async (request) =>
      carts.update(request.params.id.toLowerCase(), clearCartUpdate, {
        idempotencyKey: request.headers['idempotency-key'],
      }),
  );

  app.post(
    '/api/carts/:id/checkout',
    {
      schema: {
        tags,
        summary: 'Check out: the cart becomes an order',
        description:
          'The cart closes and the answer comes at once with the order (tracking) id; follow statusUrl. Checking out the same cart again answers with the same order.',
        params: CartIdParams,
        body: CheckoutBody,
        response: { 202: OrderAccepted, ...errors(400, 404, 409, 422) },
      },
    },
    async (request, reply) => checkout(carts, orders, config, request.params.id, request.body, reply),
  );
};
