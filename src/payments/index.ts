import type { Config } from '../config.js';
import type { PrismaClient } from '../db/prisma.js';
import type { PaymentProvider } from './provider.js';
import { SimulatedPaymentProvider } from './simulated-provider.js';
import { StripePaymentProvider } from './stripe-provider.js';

/** The payment provider this deployment uses: Stripe when a secret key is configured, else the simulated one. */
export function createPaymentProvider(config: Config, prisma: PrismaClient): PaymentProvider {
  if (config.stripe.secretKey)
    return new StripePaymentProvider({ secretKey: config.stripe.secretKey, apiBase: config.stripe.apiBase });
  return new SimulatedPaymentProvider(prisma, {
    publicBaseUrl: config.publicUrl,
    authorizationValidityMs: config.simulatedAuthorizationValidityMs,
  });
}
