import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Config } from '../../config.js';
import type { PaymentProvider } from '../../payments/provider.js';

/** What the storefront needs to know before taking a payment: the provider and Stripe's publishable key. */
export const configRoutes: FastifyPluginAsyncTypebox<{ config: Config; payments: PaymentProvider }> = async (
  app,
  { config, payments },
) => {
  app.get(
    '/api/config',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Storefront settings: currency and payment provider',
        response: {
          200: Type.Object({
            currency: Type.String(),
            paymentProvider: Type.Enum(['simulated', 'stripe']),
            stripePublishableKey: Type.Union([Type.String(), Type.Null()], {
              description: 'For Stripe.js / Elements when Stripe is configured',
            }),
          }),
        },
      },
    },
    async () => ({
      currency: config.currency,
      paymentProvider: payments.name,
      stripePublishableKey: payments.name === 'stripe' ? (config.stripe.publishableKey ?? null) : null,
    }),
  );
};
