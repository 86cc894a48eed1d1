import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { PrismaClient } from '../../db/prisma.js';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import { customerOf } from './sessions.js';
import { orderAccessToken } from './order-token.js';

/** The header a guest (or a tracking link's page) shows an order's access token in. */
export const ORDER_TOKEN_HEADER = 'x-order-token';

/**
 * Who may see and act on an order: its customer (signed in), or whoever holds its access token. The
 * token is an HMAC of the order id under ORDER_TOKEN_SECRET: unguessable, separate from the id,
 * the same on a retried placement (so a lost answer loses nothing), and never stored.
 */
export class OrderAccess {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly secret: string,
  ) {}

  tokenFor(orderId: string): string {
    return orderAccessToken(this.secret, orderId);
  }

  /**
   * Compared in constant time, as text: base64url's last character carries spare bits, so decoding
   * would let a different string pass for the token.
   */
  tokenMatches(orderId: string, token: string | undefined): boolean {
    if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return false;
    return timingSafeEqual(Buffer.from(token), Buffer.from(this.tokenFor(orderId)));
  }

  /** Whether the request may see the order: its token, or its customer signed in. */
  async allows(request: FastifyRequest, orderId: string): Promise<boolean> {
    const header = request.headers[ORDER_TOKEN_HEADER];
    if (this.tokenMatches(orderId, Array.isArray(header) ? header[0] : header)) return true;
    const customerId = customerOf(request);
    if (!customerId) return false;
    const row = await this.prisma.order.findUnique({ where: { id: orderId }, select: { customerId: true } });
    return row?.customerId === customerId;
  }

  /** 404 for anyone else, exactly as for an order that does not exist: existence is not revealed. */
  async require(request: FastifyRequest, orderId: string): Promise<void> {
    if (!(await this.allows(request, orderId))) throw new DomainError(ErrorCode.OrderNotFound, `no order ${orderId}`);
  }
}
