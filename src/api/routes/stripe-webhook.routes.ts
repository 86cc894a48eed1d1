import type { FastifyPluginAsync } from 'fastify';
import Stripe from 'stripe';
import type { Config } from '../../config.js';
import type { PrismaClient } from '../../db/prisma.js';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import { PaymentRequestError, type PaymentProvider } from '../../payments/provider.js';
import type { OrderGateway } from '../orders/order-gateway.js';
import { errors } from '../schemas/common.js';
import { Type } from 'typebox';

/** What a signed event must have before it is routed; a description of what is missing, or undefined. */
function malformed(event: Stripe.Event): string | undefined {
  const e = event as unknown as { id?: unknown; type?: unknown; data?: { object?: unknown } };
  if (typeof e.id !== 'string' || e.id.length === 0 || e.id.length > 255) return 'no event id';
  if (typeof e.type !== 'string' || e.type.length === 0) return 'no event type';
  if (typeof e.data?.object !== 'object' || e.data.object === null) return 'no data.object';
  return undefined;
}

/** Signatures older than this are refused (Stripe's own default tolerance). */
const TOLERANCE_SECONDS = 300;

interface Deps {
  config: Config;
  prisma: PrismaClient;
  orders: OrderGateway;
  payments: PaymentProvider;
}

const idOf = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : (value as { id?: string } | null | undefined)?.id;

/**
 * Stripe's webhooks: the raw body is verified against the Stripe-Signature header (a bad signature
 * or a stale timestamp is 400 and changes nothing), each event id is applied once, and events are
 * routed to their order as signals. Events arrive late, twice and out of order, so a signal only
 * tells the order to look: it asks Stripe for the current PaymentIntent or refund itself.
 */
export const stripeWebhookRoutes: FastifyPluginAsync<Deps> = async (app, { config, prisma, orders, payments }) => {
  // The signature is over the exact bytes Stripe sent: in this scope JSON stays a raw Buffer.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  // Only the signature helper is used here: it needs the signing secret, not an API key.
  const stripe = new Stripe(config.stripe.secretKey ?? 'sk_test_signature_verification_only');

  /** The order a PaymentIntent belongs to (its metadata, asking the provider when the event lacks it). */
  async function orderOf(
    paymentIntent: unknown,
  ): Promise<{ orderId: string | undefined; paymentId: string | undefined }> {
    const paymentId = idOf(paymentIntent);
    const inline = (paymentIntent as { metadata?: Record<string, string> } | null)?.metadata?.orderId;
    if (inline || !paymentId) return { orderId: inline, paymentId };
    return { orderId: (await payments.retrieve(paymentId)).metadata.orderId, paymentId };
  }

  async function route(event: Stripe.Event): Promise<string | undefined> {
    const object = event.data.object as unknown as Record<string, unknown>;
    if (event.type.startsWith('payment_intent.')) {
      const { orderId, paymentId } = await orderOf(object);
      if (orderId && paymentId) await orders.paymentEvent(orderId, paymentId, event.type, event.id);
      return orderId;
    }
    if (event.type.startsWith('refund.') || event.type === 'charge.refunded') {
      const { orderId } = await orderOf(object.payment_intent);
      if (orderId) await orders.refundUpdated(orderId, String(object.id), event.id);
      return orderId;
    }
    if (event.type === 'charge.dispute.created') {
      const { orderId } = await orderOf(object.payment_intent);
      if (orderId) {
        await orders.disputeOpened(
          orderId,
          {
            disputeId: String(object.id),
            reason: String(object.reason ?? 'unknown'),
            amountCents: Number(object.amount ?? 0),
          },
          event.id,
        );
      }
      return orderId;
    }
    return undefined; // not an event orders care about: acknowledged, and stored as seen
  }

  app.post(
    '/webhooks/stripe',
    {
      schema: {
        tags: ['webhooks'],
        summary: "Stripe's events (payment outcomes, refunds, disputes)",
        description:
          'Active when STRIPE_WEBHOOK_SECRET is set; without it 404 webhooks_not_configured (there is no such endpoint in this deployment). Point `stripe listen --forward-to` here.',
        response: {
          200: Type.Object({
            received: Type.Boolean(),
            duplicate: Type.Boolean(),
            orderId: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors(400, 404, 415, 503),
        },
      },
    },
    async (request) => {
      const secret = config.stripe.webhookSecret;
      if (!secret)
        throw new DomainError(ErrorCode.WebhooksNotConfigured, 'set STRIPE_WEBHOOK_SECRET to receive Stripe webhooks');
      const signature = request.headers['stripe-signature'];
      if (!Buffer.isBuffer(request.body) || typeof signature !== 'string') {
        throw new DomainError(
          ErrorCode.InvalidSignature,
          'a Stripe webhook needs its raw JSON body and a Stripe-Signature header',
        );
      }
      let event: Stripe.Event;
      try {
        event = stripe.webhooks.constructEvent(request.body, signature, secret, TOLERANCE_SECONDS);
      } catch {
        throw new DomainError(
          ErrorCode.InvalidSignature,
          `the Stripe-Signature does not match this payload, or is older than ${TOLERANCE_SECONDS} s`,
        );
      }
      // The SDK only refuses old timestamps; one from the future is as suspect (a replay kept for later).
      const signedAt = Number(/(?:^|,)\s*t=(\d+)/.exec(signature)?.[1]);
      if (signedAt > Date.now() / 1000 + TOLERANCE_SECONDS)
        throw new DomainError(
          ErrorCode.InvalidSignature,
          `the Stripe-Signature is dated more than ${TOLERANCE_SECONDS} s in the future`,
        );
      const problem = malformed(event);
      if (problem) throw new DomainError(ErrorCode.ValidationFailed, `a malformed Stripe event: ${problem}`);
      // Applied once: a delivery already applied is acknowledged and changes nothing. The event is
      // stored after it is routed, so a crash in between makes Stripe deliver it again; the order
      // ignores an event id it has seen, so that second delivery changes nothing either.
      const seen = await prisma.stripeEvent.findUnique({ where: { id: event.id } });
      if (seen) return { received: true, duplicate: true, orderId: seen.orderId };
      let orderId: string | null;
      try {
        orderId = (await route(event)) ?? null;
      } catch (err) {
        // Signed by Stripe but about a PaymentIntent this shop never made (another integration on the
        // account, a test event): acknowledged, or Stripe retries for days and disables the endpoint.
        if (!(err instanceof PaymentRequestError && err.code === 'resource_missing')) throw err;
        request.log.warn({ eventId: event.id, type: event.type }, 'Stripe event for an object this shop does not know');
        orderId = null;
      }
      await prisma.stripeEvent.createMany({
        data: [{ id: event.id, type: event.type, orderId }],
        skipDuplicates: true,
      });
      return { received: true, duplicate: false, orderId };
    },
  );
};
