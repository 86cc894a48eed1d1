import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { SecurityConfig } from '../../config-security.js';
import { DomainError, ErrorCode } from '../../domain/errors.js';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** The simulated bank page's buttons post an HTML form, as a bank's page does. */
const FORM_ROUTES = /^\/simulated-payments\/[^/]+\/authenticate\/form$/;

/**
 * What a browser needs told: security headers on every answer (the storefront's own scripts only,
 * no page of ours in a frame), other sites' scripts kept out unless CORS_ORIGINS names them, and a
 * change only from a JSON request, which a cross-site form or `text/plain` beacon cannot send
 * without a CORS preflight.
 */
async function browserSafetyPlugin(app: FastifyInstance, { security }: { security: SecurityConfig }) {
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", 'https://js.stripe.com'],
        // Stripe.js shows 3-D Secure in its own frames.
        frameSrc: ['https://js.stripe.com', 'https://hooks.stripe.com'],
        connectSrc: ["'self'", 'https://api.stripe.com'],
        imgSrc: ["'self'", 'data:'],
        styleSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    // `Strict-Transport-Security` only means something over https; a proxy in front sets it there.
    hsts: false,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    crossOriginEmbedderPolicy: false,
  });
  // The codec endpoint answers the Temporal Web UI's origin (an operator's browser, with their
  // operator cookie); everything else answers only the origins CORS_ORIGINS names.
  const allowed = (list: string[]) => (list.length > 0 ? list : false);
  const headers = ['content-type', 'idempotency-key', 'x-order-token', 'authorization'];
  await app.register(cors, {
    delegator: async (request: FastifyRequest) => {
      const codec = request.url.startsWith('/codec/');
      return {
        origin: allowed(codec ? security.codecOrigins : security.corsOrigins),
        credentials: true,
        allowedHeaders: codec ? [...headers, 'x-namespace'] : headers,
        exposedHeaders: ['location', 'retry-after', 'x-order-source'],
        maxAge: 600,
      };
    },
  });
  app.addHook('onRequest', async (request) => {
    if (!STATE_CHANGING.has(request.method)) return;
    const type = request.headers['content-type'];
    if (type === undefined) return; // no body: `curl -X POST .../cancel`
    const mediaType = type.split(';')[0]!.trim().toLowerCase();
    if (mediaType === 'application/json') return;
    if (mediaType === 'application/x-www-form-urlencoded' && FORM_ROUTES.test(request.url.split('?')[0]!)) return;
    throw new DomainError(
      ErrorCode.UnsupportedMediaType,
      `send changes as application/json (got ${mediaType || 'an empty Content-Type'})`,
    );
  });
}

export default fp(browserSafetyPlugin, { name: 'browser-safety' });
