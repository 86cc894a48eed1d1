import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { hash, verify } from '@node-rs/argon2';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { PrismaClient } from '../../db/prisma.js';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import type { CartGateway } from '../carts/cart-gateway.js';
import { errors } from '../schemas/common.js';
import { Email } from '../schemas/order.schemas.js';
import { adoptCarts } from './adopt-carts.js';
import { customerOf } from './sessions.js';

const tags = ['shoppers'];
const Credentials = Type.Object(
  { email: Email, password: Type.String({ minLength: 8, maxLength: 256 }) },
  { additionalProperties: false },
);
const Me = Type.Object({
  customer: Type.Union([Type.Object({ id: Type.String(), email: Type.String() }), Type.Null()]),
  cartId: Type.Union([Type.String(), Type.Null()], { description: "This session's open cart, if it has one" }),
});
const OrderSummary = Type.Object({
  orderId: Type.String(),
  status: Type.String(),
  totalCents: Type.Integer(),
  currency: Type.String(),
  createdAt: Type.String(),
  statusUrl: Type.String(),
});

// Sign-in with an unknown address costs what a wrong password costs: timing does not tell them apart.
const decoy = hash(randomUUID());

/**
 * Accounts and sessions. A sign-in starts a new session id (no fixation) that keeps the guest's
 * carts, then adopts them (see adoptCarts).
 */
export const authRoutes: FastifyPluginAsyncTypebox<{ prisma: PrismaClient; carts: CartGateway }> = async (
  app,
  { prisma, carts },
) => {
  async function signIn(request: FastifyRequest, customer: { id: string; email: string; cartId: string | null }) {
    const cartIds = request.session.get('cartIds') ?? [];
    await request.session.regenerate(['cartIds']);
    request.session.set('customerId', customer.id);
    request.session.set('cartIds', cartIds);
    const cartId = await adoptCarts(request, prisma, carts, customer);
    return { customer: { id: customer.id, email: customer.email }, cartId };
  }

  app.post(
    '/api/auth/sign-up',
    {
      schema: {
        tags,
        summary: 'Open an account (and sign in)',
        description: 'Passwords: 8 to 256 characters, stored as argon2id hashes. The guest cart becomes the account’s.',
        body: Credentials,
        response: { 201: Me, ...errors(400, 409, 429) },
      },
    },
    async (request, reply) => {
      const email = request.body.email.toLowerCase();
      const passwordHash = await hash(request.body.password);
      const existing = await prisma.customer.findUnique({ where: { email }, select: { id: true } });
      if (existing) throw new DomainError(ErrorCode.EmailTaken, 'an account with this e-mail address exists: sign in');
      const customer = await prisma.customer
        .create({ data: { id: randomUUID(), email, passwordHash } })
        .catch((err: { code?: string }) => {
          if (err.code === 'P2002')
            throw new DomainError(ErrorCode.EmailTaken, 'an account with this e-mail address exists: sign in');
          throw err;
        });
      return reply.status(201).send(await signIn(request, customer));
    },
  );

  app.post(
    '/api/auth/sign-in',
    {
      schema: {
        tags,
        summary: 'Sign in',
        description: 'The guest cart is adopted: see README, "Whose cart, whose order".',
        body: Credentials,
        response: { 200: Me, ...errors(400, 401, 429) },
      },
    },
    async (request) => {
      const customer = await prisma.customer.findUnique({ where: { email: request.body.email.toLowerCase() } });
      const valid = await verify(customer?.passwordHash ?? (await decoy), request.body.password);
      if (!customer || !valid) throw new DomainError(ErrorCode.InvalidCredentials, 'wrong e-mail address or password');
      return signIn(request, customer);
    },
  );

  app.post(
    '/api/auth/sign-out',
    { schema: { tags, summary: 'Sign out (the session and its carts are forgotten)', response: { 204: Type.Null() } } },
    async (request, reply) => {
      await request.session.destroy();
      return reply.status(204).send(null);
    },
  );

  app.get('/api/me', { schema: { tags, summary: 'Who this session is', response: { 200: Me } } }, async (request) => {
    const customerId = customerOf(request);
    const customer = customerId
      ? await prisma.customer.findUnique({ where: { id: customerId }, select: { id: true, email: true } })
      : null;
    return { customer, cartId: (request.session.get('cartIds') ?? []).at(-1) ?? null };
  });

  app.get(
    '/api/me/orders',
    {
      schema: {
        tags,
        summary: "The signed-in customer's orders, newest first",
        querystring: Type.Object(
          { limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(OrderSummary) }), ...errors(400, 401) },
      },
    },
    async (request) => {
      const customerId = customerOf(request);
      if (!customerId) throw new DomainError(ErrorCode.SignInRequired, 'sign in to see your orders');
      const rows = await prisma.order.findMany({
        where: { customerId },
        orderBy: { createdAt: 'desc' },
        take: request.query.limit,
        select: { id: true, status: true, totalCents: true, currency: true, createdAt: true },
      });
      return {
        items: rows.map((o) => ({
          orderId: o.id,
          status: o.status,
          totalCents: o.totalCents,
          currency: o.currency,
          createdAt: o.createdAt.toISOString(),
          statusUrl: `/api/orders/${o.id}`,
        })),
      };
    },
  );
};
