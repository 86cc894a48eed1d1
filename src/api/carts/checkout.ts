import type { Static } from 'typebox';
import type { FastifyReply } from 'fastify';
import type { Config } from '../../config.js';
import type { OrderGateway } from '../orders/order-gateway.js';
import type { CheckoutBody } from '../schemas/order.schemas.js';
import type { CartGateway } from './cart-gateway.js';

/** Both checkout routes: 202 with the order's tracking id, the same one when the cart is checked out again. */
export async function checkout(
  carts: CartGateway,
  orders: OrderGateway,
  config: Config,
  cartId: string,
  body: Static<typeof CheckoutBody>,
  reply: FastifyReply,
) {
  const { orderId, created } = await carts.checkout(cartId.toLowerCase(), { ...body, policy: config.order });
  const statusUrl = `/api/orders/${orderId}`;
  const status = created ? 'placed' : await orders.status(orderId);
  reply.log.info({ orderId, status, created }, 'cart checked out');
  return reply.status(202).header('location', statusUrl).send({ orderId, status, statusUrl });
}
