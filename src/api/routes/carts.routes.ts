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
import { claimCart, customerOf, newCartId, requireCart } from '../identity/sessions.js';
import type { OrderAccess } from '../identity/order-access.js';
import type { PrismaClient } from '../../db/prisma.js';
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
  access: OrderAccess;
  prisma: PrismaClient;
  config: Config;
}> = async (app, { carts, orders, access, prisma, config }) => {
  app.post(
    '/api/carts',
    {
      schema: {
        tags,
        summary: 'Create a cart',
        description:
          'Answers 201 with a new cart, which belongs to this session (the `sid` cookie): only it can read or change the cart. The server makes the id; send an Idempotency-Key and a retry of a lost answer gets the same cart (200).',
        headers: IdempotencyHeaders,
        body: CreateCartBody,
        response: { 201: Cart, 200: Cart, ...errors(400, 409, 429) },
      },
      // `curl -X POST /api/carts` with no body at all is a plain "give me a cart".
      config: { bodyOptional: true },
      preValidation: async (request) => {
        if (request.body === undefined) request.body = {};
      },
    },
    async (request, reply) => {
      const cartId = newCartId(request, config.security.sessionSecret, request.headers['idempotency-key']);
      const customerId = customerOf(request);
      // Claimed first: if the answer is a 503 (Temporal slow), the session still knows its cart.
      claimCart(request, cartId);
      const { cart, created } = await carts.create(cartId, { customerId, email: request.body.email });
      if (customerId) await prisma.customer.update({ where: { id: customerId }, data: { cartId: cart.id } });
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
    async (request) => carts.get(requireCart(request, request.params.id)),
  );

  app.post(
    '/api/carts/:id/items',
    {
      schema: {
        tags,
        summary: 'Add a product',
        description:
          'Name, price and vendor come from the catalog. Adding a product already in the cart adds to its quantity.',
        params: CartIdParams,
        headers: IdempotencyHeaders,
        body: AddItemBody,
        response: { 200: Cart, ...changeErrors },
      },
    },
    async (request) =>
      carts.addItem(requireCart(request, request.params.id), {
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
      const id = requireCart(request, request.params.id);
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
      carts.update(requireCart(request, request.params.id), removeItemUpdate, {
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
      carts.update(requireCart(request, request.params.id), clearCartUpdate, {
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
    async (request, reply) =>
      checkout(
        { carts, orders, access, config },
        request,
        request.body,
        requireCart(request, request.params.id),
        reply,
      ),
  );
};
