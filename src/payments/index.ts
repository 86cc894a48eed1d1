import type { Config } from '../config.js';
import type { PrismaClient } from '../db/prisma.js';
import type { PaymentProvider } from './provider.js';
import { SimulatedPaymentProvider } from './simulated-provider.js';

/** The payment provider this deployment uses: the simulated one until Stripe keys are configured. */
export function createPaymentProvider(config: Config, prisma: PrismaClient): PaymentProvider {
  return new SimulatedPaymentProvider(prisma, { publicBaseUrl: config.publicUrl });
}
