import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ErrorCode } from '../../domain/errors.js';

/** What every request gets on top of ANSWER_WITHIN before the net below answers for it. */
const GRACE_MS = 2_000;

/**
 * The last net under "every route answers within a few seconds": calls to Temporal carry a
 * deadline of ANSWER_WITHIN and PostgreSQL connections time out, but a dependency that hangs in a
 * way those do not see (a database stopped mid-query) must not hold a client either. A request
 * still unanswered ANSWER_WITHIN + 2 s after it arrived gets a 503 service_unavailable with
 * Retry-After; what its handler answers later is dropped (and logged by fastify).
 */
async function answerWithin(app: FastifyInstance, { withinMs }: { withinMs: number }) {
  const timers = new WeakMap<object, NodeJS.Timeout>();
  app.addHook('onRequest', async (request, reply) => {
    timers.set(
      request,
      setTimeout(() => {
        if (reply.sent) return;
        request.log.warn({ withinMs: withinMs + GRACE_MS }, 'no answer in time: answered 503 for the handler');
        void reply
          .status(503)
          .header('retry-after', '5')
          .send({
            error: {
              code: ErrorCode.ServiceUnavailable,
              message: `no answer within ${withinMs + GRACE_MS} ms (a dependency is slow or away); retry shortly, with the same Idempotency-Key for a change`,
            },
          });
      }, withinMs + GRACE_MS).unref(),
    );
  });
  app.addHook('onResponse', async (request) => clearTimeout(timers.get(request)));
}

export default fp(answerWithin, { name: 'answer-within' });
