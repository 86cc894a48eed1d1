import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { documentOptionalBodies, documentRoute } from './openapi-doc.js';

/** The OpenAPI document, generated from the route schemas, and Swagger UI at /docs. */
async function openapiPlugin(app: FastifyInstance) {
  await app.register(swagger, {
    transform: documentRoute,
    transformObject: (documents) =>
      documentOptionalBodies('openapiObject' in documents ? documents.openapiObject : documents.swaggerObject),
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Order orchestrator API',
        version: '0.1.0',
        description: 'Catalog, carts and orders; every cart and order is a durable Temporal workflow.',
      },
      tags: [
        { name: 'catalog', description: 'Products with live stock' },
        { name: 'carts', description: 'Each cart is a long-running Temporal workflow, cart-<id>' },
        { name: 'carts (es-cqrs-shopping-cart routes)', description: "The older design's routes, on the same carts" },
        { name: 'orders', description: 'Each order is a long-running Temporal workflow, order-<id>' },
        { name: 'admin', description: 'Needs `Authorization: Bearer <ADMIN_TOKEN>`' },
        {
          name: 'analytics',
          description: 'Read models built from the journal, exactly once (admin token)',
        },
        { name: 'webhooks', description: 'Signed events from Stripe' },
        { name: 'health', description: 'Liveness and readiness' },
        { name: 'operator', description: "Temporal's remote codec, for an operator's Web UI and CLI" },
      ],
      components: {
        securitySchemes: {
          adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' },
          operatorSession: { type: 'apiKey', in: 'cookie', name: 'sid', description: 'POST /api/operator/session' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}

export default fp(openapiPlugin, { name: 'openapi' });
