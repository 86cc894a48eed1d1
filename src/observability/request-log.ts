import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { idsFromRoute } from './log-fields.js';

/**
 * Fastify's request logging, with the ids a route names (`orderId`, `cartId`, `productId`, ...) bound
 * as fields on the request's logger. Bound here, as the request comes in (routing is done, params
 * are known), so every line of the request carries them: "incoming request", the handler's own lines,
 * errors and "request completed". An onRequest hook would come one line too late.
 */
export class RequestIdsLogController extends LogController {
  override incomingRequest(request: FastifyRequest, reply: FastifyReply, metadata?: Record<string, unknown>): void {
    const ids = idsFromRoute(request.routeOptions.url, request.params);
    if (Object.keys(ids).length > 0) {
      const log = request.log.child(ids);
      request.log = log;
      reply.log = log;
    }
    super.incomingRequest(request, reply, metadata);
  }
}
