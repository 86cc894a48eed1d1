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
  const id = cartId.toLowerCase();
  const { orderId, created, placed } = await carts.checkout(id, { ...body, policy: config.order });
  if (placed) {
    // In the read side before the 202, like an order placed directly.
    await orders.recordAccepted(
      {
        orderId,
        lines: placed.lines,
        email: body.email,
        customerId: placed.customerId,
        cartId: id,
        shippingAddress: body.shippingAddress,
        paymentMethod: body.paymentMethod ?? null,
        currency: config.currency,
        policy: config.order,
      },
      placed.lines,
    );
  }
  const statusUrl = `/api/orders/${orderId}`;
  const status = created ? 'placed' : await orders.status(orderId);
  reply.log.info({ orderId, status, created }, 'cart checked out');
  return reply.status(202).header('location', statusUrl).send({ orderId, status, statusUrl });
}
