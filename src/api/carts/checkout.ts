import { randomUUID } from 'node:crypto';
import type { Static } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import type { OrderGateway } from '../orders/order-gateway.js';
import type { OrderAccess } from '../identity/order-access.js';
import { customerOf } from '../identity/sessions.js';
import { orderTrackingUrl } from '../identity/order-token.js';
import { buyerCaps } from '../orders/order-caps.js';
import type { CheckoutBody } from '../schemas/order.schemas.js';
import type { CartGateway } from './cart-gateway.js';

/** What the 202 of a placement says: where to follow the order, and the guest's key to it. */
export function accepted(access: OrderAccess, config: Config, orderId: string, status: string) {
  const accessToken = access.tokenFor(orderId);
  return {
    orderId,
    status,
    statusUrl: `/api/orders/${orderId}`,
    accessToken,
    trackingUrl: orderTrackingUrl(config.publicUrl, orderId, accessToken),
  };
}

/**
 * Both checkout routes (the caller has checked that the session owns the cart): 202 with the order's
 * tracking id and access token, the same ones when the cart is checked out again. The order id is
 * made here, from a cryptographic source; the order belongs to whoever is signed in.
 */
export async function checkout(
  deps: { carts: CartGateway; orders: OrderGateway; access: OrderAccess; config: Config },
  request: FastifyRequest,
  body: Static<typeof CheckoutBody>,
  cartId: string,
  reply: FastifyReply,
) {
  const { carts, orders, access, config } = deps;
  // The caps go with the checkout: the cart checks its own lines against them before it starts an
  // order (no read of the cart first). A cart checked out already answers with its order.
  const buyer = { customerId: customerOf(request), email: body.email };
  const caps = await buyerCaps(orders.prisma, config.security.caps, buyer);
  const { orderId, created, placed } = await carts.checkout(cartId, {
    ...body,
    policy: config.order,
    orderId: randomUUID(),
    customerId: buyer.customerId,
    caps,
  });
  // The order is in the read side before the 202, like an order placed directly. Its workflow is
  // not waited for: the cart answered once it had issued the order's start, which the server
  // carries out a moment later whatever becomes of the worker; a GET meanwhile reads the read side,
  // a cancel or a payment method waits for it (OrderGateway.startingSoon). A start fails only on an
  // id already taken, and the id is fresh from a cryptographic source.
  if (placed)
    await orders.recordAccepted(
      {
        orderId,
        lines: placed.lines,
        email: body.email,
        customerId: placed.customerId,
        cartId,
        shippingAddress: body.shippingAddress,
        paymentMethod: body.paymentMethod ?? null,
        currency: config.currency,
        policy: config.order,
      },
      placed.lines,
    );
  const status = created ? 'placed' : await orders.status(orderId);
  reply.log.info({ orderId, status, created }, 'cart checked out');
  const answer = accepted(access, config, orderId, status);
  return reply.status(202).header('location', answer.statusUrl).send(answer);
}
