import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Client, Connection } from '@temporalio/client';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Config } from '../config.js';
import { poolOf, type PrismaClient } from '../db/prisma.js';
import type { PaymentProvider } from '../payments/provider.js';
import { SimulatedPaymentProvider } from '../payments/simulated-provider.js';
import { OrderGateway } from './orders/order-gateway.js';
import { adminOrderRoutes } from './routes/admin-orders.routes.js';
import { adminNotificationRoutes } from './routes/admin-notifications.routes.js';
import { analyticsRoutes } from './routes/analytics.routes.js';
import { orderRoutes } from './routes/orders.routes.js';
import { simulatedPaymentRoutes } from './routes/simulated-payments.routes.js';
import { configRoutes } from './routes/config.routes.js';
import { codecRoutes } from './routes/codec.routes.js';
import { stripeWebhookRoutes } from './routes/stripe-webhook.routes.js';
import { requireAdmin } from './plugins/admin-auth.js';
import errors from './plugins/errors.js';
import methodNotAllowed, { httpEdgeOptions } from './plugins/http-edges.js';
import { validatorCompiler } from './plugins/validation.js';
import textGuard from './plugins/text-guard.js';
import answerWithin from './plugins/answer-within.js';
import metrics from './plugins/metrics.js';
import { RequestIdsLogController } from '../observability/request-log.js';
import openapi from './plugins/openapi.js';
import { adminCatalogRoutes } from './routes/admin-catalog.routes.js';
import { adminImportRoutes } from './routes/admin-imports.routes.js';
import { cartRoutes } from './routes/carts.routes.js';
import { legacyCartRoutes } from './routes/legacy-cart.routes.js';
import { CartGateway } from './carts/cart-gateway.js';
import { catalogRoutes } from './routes/catalog.routes.js';
import { healthRoutes } from './routes/health.routes.js';
import { authRoutes } from './identity/auth.routes.js';
import { OrderAccess } from './identity/order-access.js';
import { getCatalogItems } from '../db/catalog.store.js';
import { sessions } from './identity/sessions.js';
import browserSafety from './plugins/browser-safety.js';
import rateLimits from './plugins/rate-limits.js';

export interface AppDeps {
  config: Config;
  prisma: PrismaClient;
  temporal: { client: Client; connection: Connection };
  payments: PaymentProvider;
}

const publicDir = fileURLToPath(new URL('../../public', import.meta.url));

/** The HTTP API as one fastify instance: plugins, then public routes, then the admin scope. */
export async function buildApp(deps: AppDeps, options: FastifyServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    // Request log lines carry the order, cart or product id of their route as fields.
    logController: new RequestIdsLogController(),
    // Behind a proxy that terminates TLS: the client's address (rate limits) and https (Secure cookies).
    trustProxy: deps.config.security.trustProxy,
    ...httpEdgeOptions,
    ...options,
  }).withTypeProvider<TypeBoxTypeProvider>();
  // "5" in a query string is a number; in a JSON body it stays a string (see validation.ts).
  app.setValidatorCompiler(validatorCompiler);

  // Clients (browsers, fetch wrappers) often send Content-Type: application/json with no body on
  // DELETE and bodiless POSTs; that is "no body", not malformed JSON. Everything else goes to
  // fastify's own parser (with its prototype-poisoning protection).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, undefined);
    return parseJson(request, body as string, done);
  });

  await app.register(errors);
  await app.register(methodNotAllowed);
  await app.register(answerWithin, { withinMs: deps.config.answerWithinMs });
  await app.register(textGuard);
  await app.register(metrics, { prisma: deps.prisma, token: deps.config.metrics.token });
  await app.register(browserSafety, { security: deps.config.security });
  await app.register(sessions, { prisma: deps.prisma, security: deps.config.security });
  await app.register(rateLimits, { security: deps.config.security });
  await app.register(openapi);
  await app.register(fastifyStatic, { root: path.resolve(publicDir), index: 'index.html', wildcard: false });

  await app.register(healthRoutes, deps);
  await app.register(catalogRoutes, deps);
  const carts = new CartGateway(deps.temporal.client, deps.config, (ids) => getCatalogItems(poolOf(deps.prisma), ids));
  const orders = new OrderGateway(deps.temporal.client, deps.prisma, deps.config);
  const access = new OrderAccess(deps.prisma, deps.config.security.orderTokenSecret);
  await app.register(authRoutes, { prisma: deps.prisma, carts });
  await app.register(cartRoutes, { carts, orders, access, prisma: deps.prisma, config: deps.config });
  await app.register(legacyCartRoutes, { carts, orders, access, config: deps.config });
  await app.register(orderRoutes, { orders, access, prisma: deps.prisma, config: deps.config });
  if (deps.payments instanceof SimulatedPaymentProvider)
    await app.register(simulatedPaymentRoutes, { payments: deps.payments, orders });
  await app.register(configRoutes, { config: deps.config, payments: deps.payments });
  await app.register(codecRoutes, { config: deps.config });
  await app.register(stripeWebhookRoutes, {
    config: deps.config,
    prisma: deps.prisma,
    orders,
    payments: deps.payments,
  });
  await app.register(async (admin) => {
    requireAdmin(admin, deps.config.adminToken);
    await admin.register(adminCatalogRoutes, { ...deps, orders });
    await admin.register(adminImportRoutes, deps);
    await admin.register(adminOrderRoutes, { ...deps, orders });
    await admin.register(adminNotificationRoutes, deps);
    await admin.register(analyticsRoutes, deps);
  });
  return app;
}
