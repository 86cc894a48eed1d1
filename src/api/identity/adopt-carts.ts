import type { FastifyRequest } from 'fastify';
import { clearCartUpdate } from '../../contracts/cart.contract.js';
import type { PrismaClient } from '../../db/prisma.js';
import { MAX_LINE_QUANTITY, type CartView } from '../../domain/cart.js';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import type { CartGateway } from '../carts/cart-gateway.js';

async function openCart(carts: CartGateway, cartId: string): Promise<CartView | null> {
  try {
    const cart = await carts.get(cartId);
    return cart.status === 'active' ? cart : null;
  } catch (err) {
    if (err instanceof DomainError && err.code === ErrorCode.CartNotFound) return null;
    throw err;
  }
}

/**
 * Signing in adopts the guest's cart. The rules (README, "Whose cart, whose order"):
 * - no open cart on the account: the guest's newest open cart becomes the account's;
 * - both: the guest's lines are added to the account's cart (quantities summed, up to the line
 *   maximum) and the guest's cart is emptied (it then expires as any idle cart does);
 * - the account's cart is remembered, so signing in on another device finds it.
 * Each merged line carries an idempotency key of its own, so a sign-in retried after a failure
 * part-way never adds a line twice. Returns the session's cart afterwards.
 */
export async function adoptCarts(
  request: FastifyRequest,
  prisma: PrismaClient,
  carts: CartGateway,
  customer: { id: string; cartId: string | null },
): Promise<string | null> {
  const sessionCarts = request.session.get('cartIds') ?? [];
  let mine = customer.cartId ? await openCart(carts, customer.cartId) : null;
  let guest: CartView | null = null;
  for (const id of [...sessionCarts].reverse()) {
    if (id === mine?.id) continue;
    guest = await openCart(carts, id);
    if (guest) break;
  }
  if (guest && !mine) {
    mine = guest;
  } else if (guest && mine) {
    for (const line of guest.lines) {
      const room = MAX_LINE_QUANTITY - (mine.lines.find((l) => l.productId === line.productId)?.quantity ?? 0);
      if (room <= 0) continue;
      mine = await carts.addItem(mine.id, {
        productId: line.productId,
        quantity: Math.min(room, line.quantity),
        idempotencyKey: `adopt:${guest.id}:${line.productId}`,
      });
    }
    await carts.update(guest.id, clearCartUpdate, { idempotencyKey: `adopt:${guest.id}:clear` });
  }
  if (mine) {
    request.session.set('cartIds', [...sessionCarts.filter((id) => id !== mine!.id), mine.id]);
    if (mine.id !== customer.cartId)
      await prisma.customer.update({ where: { id: customer.id }, data: { cartId: mine.id } });
  }
  return mine?.id ?? null;
}
