import { createHmac } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { SecurityConfig } from '../../config-security.js';
import type { PrismaClient } from '../../db/prisma.js';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import { CARTS_PER_SESSION, noteAnswer, PrismaSessionStore } from './session-store.js';

declare module 'fastify' {
  interface Session {
    /** Set by sign-in; a guest's session has none. */
    customerId?: string;
    /** The carts this session made or adopted, newest last. */
    cartIds?: string[];
  }
}

export const SESSION_COOKIE = 'sid';

/**
 * Every shopper has a session: a signed, HttpOnly, SameSite=Lax cookie naming a row in `sessions`.
 * It is saved only once it holds something (a cart, a sign-in), so browsing leaves no rows.
 */
async function sessionsPlugin(app: FastifyInstance, options: { prisma: PrismaClient; security: SecurityConfig }) {
  const { security } = options;
  const store = new PrismaSessionStore(options.prisma, security.sessionTtlMs);
  await app.register(fastifyCookie);
  // Runs before the session plugin's own onSend, which saves the session.
  app.addHook('onSend', async (request, reply) => {
    if (request.session) noteAnswer(request.session, reply);
  });
  await app.register(fastifySession, {
    secret: security.sessionSecret,
    cookieName: SESSION_COOKIE,
    store,
    saveUninitialized: false,
    // Saved when it changes, not on every answer.
    rolling: false,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: security.cookieSecure === 'auto' ? 'auto' : security.cookieSecure === 'true',
      path: '/',
      maxAge: security.sessionTtlMs,
    },
  });
  const sweep = setInterval(() => void store.sweep().catch(() => undefined), 3_600_000);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));
}

export const sessions = fp(sessionsPlugin, { name: 'sessions' });

/** The signed-in customer, or null for a guest. */
export const customerOf = (request: FastifyRequest): string | null => request.session.get('customerId') ?? null;

export function ownsCart(request: FastifyRequest, cartId: string): boolean {
  return (request.session.get('cartIds') ?? []).includes(cartId);
}

/** Records that this session's shopper owns the cart (saves the session, setting its cookie). */
export function claimCart(request: FastifyRequest, cartId: string): void {
  const cartIds = (request.session.get('cartIds') ?? []).filter((id) => id !== cartId);
  request.session.set('cartIds', [...cartIds, cartId].slice(-CARTS_PER_SESSION));
}

/**
 * A new cart's id: random, or, when the request carries an Idempotency-Key, derived from the session
 * and the key with the server's secret, so a retry after a lost answer finds the same cart and nobody
 * else can predict it.
 */
export function newCartId(request: FastifyRequest, secret: string, idempotencyKey: string | undefined): string {
  if (!idempotencyKey) return crypto.randomUUID();
  const bytes = createHmac('sha256', secret).update(`cart:${request.session.sessionId}:${idempotencyKey}`).digest();
  bytes[6] = (bytes[6]! & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Who a rate limit counts: the customer, else the session, else the address. */
export function shopperKey(request: FastifyRequest): string {
  const customerId = request.session?.get('customerId');
  if (customerId) return `customer:${customerId}`;
  if (request.cookies?.[SESSION_COOKIE]) return `session:${request.session.sessionId}`;
  return `ip:${request.ip}`;
}

/** 404 for a cart this session does not own, exactly as for one that does not exist. */
export function requireCart(request: FastifyRequest, cartId: string): string {
  const id = cartId.toLowerCase();
  if (!ownsCart(request, id)) throw new DomainError(ErrorCode.CartNotFound, `no cart ${id}`);
  return id;
}
