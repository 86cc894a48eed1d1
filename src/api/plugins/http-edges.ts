/**
 * Answers given before or beside the routes, in the same `{ error: { code, message } }` shape as
 * every other: a request Node cannot read (431 headers too large, 400, 408), a path parameter longer
 * than the router reads (414), and a known path asked with a method it does not take (405 + Allow).
 */
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import FindMyWay from 'find-my-way';
import { DomainError, ErrorCode } from '../../domain/errors.js';

/** Longer than any path parameter's maxLength, so those get their 400; longer still is a 414. */
export const MAX_PARAM_LENGTH = 300;

function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, ErrorCode.HeadersTooLarge, 'the request headers are larger than this server reads (16 KB)']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, ErrorCode.RequestTimeout, 'the request did not arrive in time']
        : [400, ErrorCode.MalformedRequest, 'the request is not HTTP this server can read'];
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy(err);
}

function frameworkErrors(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const [status, code, message] =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? [414, ErrorCode.UriTooLong, `a path parameter is longer than ${MAX_PARAM_LENGTH} characters`]
      : [400, ErrorCode.ValidationFailed, 'the path is not a valid URL'];
  void reply.status(status).send({ error: { code, message } });
}

/** Options for Fastify(): where Node and the router answer for themselves. */
export const httpEdgeOptions = {
  maxParamLength: MAX_PARAM_LENGTH,
  clientErrorHandler,
  frameworkErrors,
} satisfies Partial<FastifyServerOptions>;

/**
 * 405 with `Allow` for a path some route serves under other methods; anything else unrouted is the
 * 404 handler's. Answered at onRequest, before any body is read (a QUERY or TRACE needs none).
 */
async function methodNotAllowed(app: FastifyInstance) {
  const paths = FindMyWay({ maxParamLength: MAX_PARAM_LENGTH, ignoreTrailingSlash: false });
  const methods = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    if (route.url === '*' || route.url.endsWith('*')) return;
    let known = methods.get(route.url);
    if (!known) {
      known = new Set();
      methods.set(route.url, known);
      paths.on('GET', route.url, () => undefined, { url: route.url });
    }
    for (const method of [route.method].flat()) known.add(method);
  });
  app.addHook('onRequest', async (request, reply) => {
    if (!request.is404) return;
    const path = request.url.split('?')[0]!;
    const found = paths.find('GET', path);
    // Unrouted: 404 now, before a body is parsed (a QUERY would otherwise be refused for its Content-Type).
    if (!found) throw new DomainError(ErrorCode.RouteNotFound, `no route ${request.method} ${path}`);
    const allowed = [...(methods.get((found.store as { url: string }).url) ?? [])];
    if (allowed.length === 0 || allowed.includes(request.method)) return;
    void reply.header('allow', allowed.sort().join(', '));
    throw new DomainError(
      ErrorCode.MethodNotAllowed,
      `${request.method} is not a method of ${path}: use ${allowed.join(', ')}`,
    );
  });
}

export default fp(methodNotAllowed, { name: 'method-not-allowed' });
