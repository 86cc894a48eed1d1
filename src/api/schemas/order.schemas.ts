import { Type } from 'typebox';
import { COUNTRY_CODES } from '../../domain/address.js';
import { MAX_LINE_QUANTITY } from '../../domain/cart.js';
import { orderFlags, orderStatuses } from '../../domain/order.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
/** Something besides spaces, and no control characters (the text guard's rule, spelled out for clients). */
const Text = (maxLength: number) =>
  Type.String({
    minLength: 1,
    maxLength,
    pattern:
      '^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$',
  });

export const ShippingAddress = Type.Object(
  {
    name: Text(100),
    line1: Text(200),
    line2: Type.Optional(Type.String({ maxLength: 200 })),
    city: Text(100),
    region: Type.Optional(Type.String({ maxLength: 100 })),
    postalCode: Type.String({ minLength: 2, maxLength: 12, pattern: '^[A-Za-z0-9](?:[A-Za-z0-9 -]*[A-Za-z0-9])?$' }),
    country: Type.Enum([...COUNTRY_CODES], { description: 'ISO 3166-1 alpha-2, upper case' }),
  },
  { additionalProperties: false, title: 'ShippingAddress' },
);

export const Email = Type.String({ format: 'email', maxLength: 254 });
export const PaymentMethod = Type.String({
  pattern: '^pm_[A-Za-z0-9_]{1,100}$',
  description: 'A payment method id; with the simulated provider, a Stripe test method such as pm_card_visa',
});

export const CheckoutBody = Type.Object(
  { email: Email, shippingAddress: ShippingAddress, paymentMethod: Type.Optional(PaymentMethod) },
  { additionalProperties: false, title: 'Checkout' },
);

export const PlaceOrderBody = Type.Object(
  {
    lines: Type.Array(
      Type.Object(
        {
          productId: Type.String({ format: 'uuid' }),
          quantity: Type.Integer({ minimum: 1, maximum: MAX_LINE_QUANTITY }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 100 },
    ),
    email: Email,
    shippingAddress: ShippingAddress,
    paymentMethod: Type.Optional(PaymentMethod),
  },
  { additionalProperties: false, title: 'PlaceOrder' },
);

export const OrderAccepted = Type.Object(
  {
    orderId: Type.String({ description: 'The tracking id' }),
    status: Type.String(),
    statusUrl: Type.String(),
    accessToken: Type.String({
      description:
        'Send it as the X-Order-Token header to read or act on the order without signing in. Keep it: it is the only key a guest has.',
    }),
    trackingUrl: Type.String({ description: "The storefront's page for the order, token included (in the fragment)" }),
  },
  { title: 'OrderAccepted' },
);

export const OrderIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });

const LineStatus = Type.Enum(['pending', 'held', 'backordered', 'shipped', 'cancelled']);
const CancelReason = Type.Enum([
  'customer',
  'payment_failed',
  'payment_timeout',
  'backorder_timeout',
  'unavailable',
  'operator',
]);

export const Order = Type.Object(
  {
    id: Type.String(),
    status: Type.Enum([...orderStatuses]),
    cancelReason: Nullable(CancelReason),
    email: Type.String(),
    customerId: Nullable(Type.String()),
    cartId: Nullable(Type.String()),
    currency: Type.String(),
    shippingAddress: Type.Object({
      name: Type.String(),
      line1: Type.String(),
      line2: Type.Optional(Type.String()),
      city: Type.String(),
      region: Type.Optional(Type.String()),
      postalCode: Type.String(),
      country: Type.String(),
    }),
    lines: Type.Array(
      Type.Object({
        productId: Type.String(),
        sku: Type.String(),
        name: Type.String(),
        vendorId: Type.String(),
        quantity: Type.Integer(),
        unitPriceCents: Type.Integer(),
        lineTotalCents: Type.Integer(),
        status: LineStatus,
        cancelReason: Nullable(CancelReason),
      }),
    ),
    totalCents: Type.Integer({ description: 'Lines not cancelled' }),
    payment: Type.Object({
      step: Type.Enum(['none', 'authorizing', 'requires_action', 'authorized', 'declined', 'captured', 'voided']),
      method: Nullable(Type.String()),
      paymentId: Nullable(Type.String()),
      attempts: Type.Integer(),
      authorizedCents: Type.Integer(),
      capturedCents: Type.Integer(),
      refundedCents: Type.Integer(),
      nextAction: Nullable(
        Type.Object({
          type: Type.String(),
          url: Nullable(Type.String()),
          clientSecret: Nullable(Type.String({ description: 'For Stripe.js to confirm or authenticate the payment' })),
        }),
      ),
      lastError: Nullable(
        Type.Object({ code: Type.String(), declineCode: Nullable(Type.String()), message: Type.String() }),
      ),
      captureBefore: Nullable(Type.String()),
      payBy: Type.String({
        format: 'date-time',
        description: 'Pay by then, or the order is cancelled (payment_timeout)',
      }),
      refunds: Type.Array(
        Type.Object({
          id: Type.String(),
          amountCents: Type.Integer(),
          status: Type.Enum(['pending', 'succeeded', 'failed', 'canceled']),
          reason: Type.String(),
          failureReason: Nullable(Type.String()),
          at: Type.String({ format: 'date-time' }),
        }),
        { description: 'Each refund as the provider reports it; refundedCents counts the succeeded ones' },
      ),
      attemptsAllowed: Type.Integer({ description: 'Declines allowed before the order is cancelled (payment_failed)' }),
    }),
    flags: Type.Array(Type.Enum([...orderFlags]), {
      description:
        'Why an operator should look at this order: a dispute, a refund that failed, a step that stopped for an operator (payment_stuck, step_failed, compensation_stuck: fix the cause, then retry or force-cancel), or one retrying for long (step_retrying)',
    }),
    stuck: Nullable(
      Type.Object(
        {
          step: Type.String({ description: 'The step, e.g. "Holding 2 × TEA-001"' }),
          flag: Type.Enum(['payment_stuck', 'step_failed', 'step_retrying', 'compensation_stuck']),
          code: Nullable(
            Type.String({ description: 'Stable code of the cause: data_rejected, provider_rejected, ...' }),
          ),
          message: Type.String(),
          since: Type.String({ format: 'date-time' }),
          waitingFor: Type.Enum(['operator', 'recovery'], {
            description:
              'operator: POST /api/admin/orders/:id/retry once fixed, or cancel; recovery: it resumes by itself',
          }),
        },
        { description: 'The step the order cannot get past now, if any' },
      ),
    ),
    cancelRequested: Type.Union([CancelReason, Type.Null()], {
      description: 'A cancellation asked for and still under way (its compensations running or waiting)',
    }),
    placedAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    version: Type.Integer(),
    timeline: Type.Array(
      Type.Object({ at: Type.String({ format: 'date-time' }), type: Type.String(), message: Type.String() }),
    ),
  },
  { title: 'Order' },
);
