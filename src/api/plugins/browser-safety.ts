import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
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
  await app.register(cors, {
    origin: security.corsOrigins.length > 0 ? security.corsOrigins : false,
    credentials: true,
    allowedHeaders: ['content-type', 'idempotency-key', 'x-order-token', 'authorization'],
    exposedHeaders: ['location', 'retry-after', 'x-order-source'],
    maxAge: 600,
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
