import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { PrismaClient } from '../../db/prisma.js';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import { orderStatuses } from '../../domain/order.js';

export interface MetricsPluginOptions {
  prisma: PrismaClient;
  /** With it, GET /metrics needs `Authorization: Bearer <token>`; without it, it is open. */
  token: string | undefined;
}

/** Label of requests that matched no route: never the raw URL, so ids and probes cannot blow up the series. */
const UNMATCHED_ROUTE = 'unmatched';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Static files (one route per file from @fastify/static, or a wildcard tree) are not API traffic. */
function isStaticRoute(request: FastifyRequest): boolean {
  const { url, config } = request.routeOptions;
  return (config as { file?: unknown }).file !== undefined || (url?.endsWith('/*') ?? false);
}

/**
 * Prometheus metrics at GET /metrics: request latency by method, route pattern and status; orders
 * by status, counted from the read side at scrape time; Node's process metrics. One registry per
 * app, so apps built in one process (tests) never share series.
 */
async function metricsPlugin(app: FastifyInstance, { prisma, token }: MetricsPluginOptions) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  new Gauge({
    name: 'orders_by_status',
    help: 'Orders in the read side (orders table) by status, counted at scrape time',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      try {
        const rows = await prisma.order.groupBy({ by: ['status'], _count: { _all: true } });
        this.reset();
        // Every known status is present, at 0 when no order has it: rate() and alerts need the series.
        for (const status of orderStatuses) this.set({ status }, 0);
        for (const row of rows) this.set({ status: row.status }, row._count._all);
      } catch (err) {
        // The rest of the scrape still answers; a missing series says the count is unknown.
        this.reset();
        app.log.warn({ err }, 'orders_by_status: the read side did not answer');
      }
    },
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url;
    if (route === '/metrics' || isStaticRoute(request)) return;
    requestDuration.observe(
      { method: request.method, route: route ?? UNMATCHED_ROUTE, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  const expected = token === undefined ? undefined : digest(token);
  app.get(
    '/metrics',
    {
      schema: { hide: true },
      onRequest: async (request) => {
        if (!expected) return;
        const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
        // One answer for a missing and a wrong token, as Prometheus' own bearer auth expects.
        if (!match || !timingSafeEqual(digest(match[1]!), expected))
          throw new DomainError(
            ErrorCode.Unauthorized,
            'GET /metrics needs an Authorization: Bearer <METRICS_TOKEN> header',
          );
      },
    },
    async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  );

  app.addHook('onClose', async () => registry.clear());
}

/** The metrics plugin: register it before the routes it measures. */
export default fp(metricsPlugin, { name: 'metrics' });
