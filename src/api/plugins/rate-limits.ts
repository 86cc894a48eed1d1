import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { RateLimit, SecurityConfig } from '../../config-security.js';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import { shopperKey } from '../identity/sessions.js';

type Group = keyof SecurityConfig['rateLimits'];

/** Which limit a request counts against; reads and operators' routes are not limited here. */
export function limitGroup(method: string, route: string | undefined): Group | undefined {
  if (!route || method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return undefined;
  if (route === '/api/auth/sign-in' || route === '/api/auth/sign-up' || route === '/api/operator/session')
    return 'signIn';
  if (route === '/api/orders' || route.endsWith('/checkout') || route === '/api/orders/:id/cancel') return 'orders';
  if (route === '/api/orders/:id/payment' || route.startsWith('/simulated-payments/')) return 'payments';
  if (route.startsWith('/api/carts') || route.startsWith('/cart')) return 'carts';
  return undefined;
}

/**
 * Abuse limits (@fastify/rate-limit's counters), each counted twice: per IP address and per shopper
 * (the signed-in customer, else the session). Over either: 429 too_many_requests with Retry-After.
 * Counters live in each API process's memory: behind several processes, divide the limits by their
 * number (or give the plugin a shared store).
 */
async function rateLimitsPlugin(app: FastifyInstance, { security }: { security: SecurityConfig }) {
  await app.register(rateLimit, { global: false });
  const checkers = new Map<string, ReturnType<FastifyInstance['createRateLimit']>>();
  const windowMs = security.rateLimitWindowMs;
  for (const [group, limit] of Object.entries(security.rateLimits) as [Group, RateLimit][]) {
    checkers.set(
      `${group}:ip`,
      app.createRateLimit({ max: limit.perIp, timeWindow: windowMs, keyGenerator: (r) => `${group}:ip:${r.ip}` }),
    );
    checkers.set(
      `${group}:shopper`,
      app.createRateLimit({
        max: limit.perShopper,
        timeWindow: windowMs,
        keyGenerator: (r) => `${group}:${shopperKey(r)}`,
      }),
    );
  }
  app.addHook('preValidation', async (request: FastifyRequest, reply) => {
    const group = limitGroup(request.method, request.routeOptions.url);
    if (!group) return;
    for (const scope of ['ip', 'shopper'] as const) {
      const outcome = await checkers.get(`${group}:${scope}`)!(request);
      if (!outcome.isAllowed && outcome.isExceeded) {
        void reply.header('retry-after', String(Math.max(1, outcome.ttlInSeconds)));
        throw new DomainError(
          ErrorCode.TooManyRequests,
          `too many ${group === 'signIn' ? 'sign-in attempts' : `${group} requests`} from ${scope === 'ip' ? 'this address' : 'this shopper'}: try again in ${Math.max(1, outcome.ttlInSeconds)} s`,
          { limit: outcome.max, windowSeconds: Math.round(windowMs / 1000) },
        );
      }
    }
  });
}

export default fp(rateLimitsPlugin, { name: 'rate-limits', dependencies: ['sessions'] });
