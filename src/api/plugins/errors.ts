import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import { isDatabaseUnavailable } from '../database-errors.js';
import { temporalBusyOf } from '../temporal-errors.js';

/** HTTP status for each stable code; anything unlisted is a 422 (a business rule said no). */
const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.ValidationFailed]: 400,
  [ErrorCode.MalformedJson]: 400,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.RouteNotFound]: 404,
  [ErrorCode.ProductNotFound]: 404,
  [ErrorCode.ImportNotFound]: 404,
  [ErrorCode.CartNotFound]: 404,
  [ErrorCode.OrderNotFound]: 404,
  [ErrorCode.OrderNotCancellable]: 409,
  [ErrorCode.PaymentNotExpected]: 409,
  [ErrorCode.RefundNotAllowed]: 409,
  [ErrorCode.PaymentNotStuck]: 409,
  [ErrorCode.NothingToRetry]: 409,
  [ErrorCode.EmailTaken]: 409,
  [ErrorCode.InvalidCredentials]: 401,
  [ErrorCode.SignInRequired]: 401,
  [ErrorCode.LineNotFound]: 404,
  [ErrorCode.CartClosed]: 409,
  [ErrorCode.IdempotencyKeyReused]: 409,
  [ErrorCode.SkuAlreadyExists]: 409,
  [ErrorCode.StockBelowReserved]: 409,
  [ErrorCode.StockNotHeld]: 409,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.UnsupportedMediaType]: 415,
  [ErrorCode.NotImplemented]: 501,
  [ErrorCode.ServiceUnavailable]: 503,
  [ErrorCode.TooManyRequests]: 429,
  // The endpoint is not there in this deployment: Stripe's sender is pointed at the wrong shop.
  [ErrorCode.WebhooksNotConfigured]: 404,
  [ErrorCode.MethodNotAllowed]: 405,
  [ErrorCode.UriTooLong]: 414,
  [ErrorCode.HeadersTooLarge]: 431,
  [ErrorCode.MalformedRequest]: 400,
  [ErrorCode.RequestTimeout]: 408,
  [ErrorCode.PaymentNotFound]: 404,
  [ErrorCode.NotificationNotFound]: 404,
  [ErrorCode.InvalidSignature]: 400,
  [ErrorCode.Internal]: 500,
};

export function statusForCode(code: ErrorCode): number {
  return STATUS[code] ?? 422;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** Fastify's own request errors, given stable codes of ours. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: ErrorCode.MalformedJson,
  FST_ERR_CTP_EMPTY_JSON_BODY: ErrorCode.MalformedJson,
  FST_ERR_CTP_BODY_TOO_LARGE: ErrorCode.PayloadTooLarge,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ErrorCode.UnsupportedMediaType,
};

const LOCATION: Record<string, string> = { querystring: 'query', body: 'body', params: 'path', headers: 'header' };

/**
 * The one error handler: every failure leaves as `{ error: { code, message } }`. Validation errors
 * name the field; unexpected errors are logged and answered 500 with the message hidden.
 */
async function errorsPlugin(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError | DomainError, request, reply) => {
    if (err instanceof DomainError) {
      const status = statusForCode(err.code);
      const body: ErrorBody = { error: { code: err.code, message: err.message, details: err.details } };
      // Busy or away for now: say when to try again.
      if ((status === 503 || status === 429) && !reply.hasHeader('retry-after'))
        reply.header('retry-after', status === 429 ? '1' : '5');
      return reply.status(status).send(body);
    }
    if (err.validation) {
      const where = LOCATION[err.validationContext ?? ''] ?? err.validationContext ?? 'request';
      const details = err.validation.map((v) => {
        // A missing or unknown property is reported on its parent: name the property itself.
        const params = v.params as { additionalProperty?: string; missingProperty?: string } | undefined;
        const field = [
          v.instancePath.replace(/^\//, '').replaceAll('/', '.'),
          params?.missingProperty ?? params?.additionalProperty,
        ]
          .filter(Boolean)
          .join('.');
        const message =
          v.keyword === 'additionalProperties'
            ? 'is not a known field'
            : v.keyword === 'required'
              ? 'is required'
              : (v.message ?? 'is invalid');
        return { in: where, field, message };
      });
      const first = details[0];
      const body: ErrorBody = {
        error: {
          code: ErrorCode.ValidationFailed,
          message: first
            ? `${first.in} ${first.field ? `'${first.field}' ` : ''}${first.message}`
            : 'request is invalid',
          details,
        },
      };
      return reply.status(400).send(body);
    }
    const mapped = err.code ? FASTIFY_CODES[err.code] : undefined;
    const status = err.statusCode ?? 500;
    if (mapped || (status >= 400 && status < 500)) {
      const code = mapped ?? ErrorCode.ValidationFailed;
      return reply
        .status(mapped ? statusForCode(mapped) : status)
        .send({ error: { code, message: err.message } } satisfies ErrorBody);
    }
    if (isDatabaseUnavailable(err)) {
      request.log.warn({ err }, 'PostgreSQL is unavailable');
      return reply
        .status(503)
        .header('retry-after', '5')
        .send({
          error: {
            code: ErrorCode.ServiceUnavailable,
            message: 'the database (PostgreSQL) is unavailable; retry shortly',
            details: { dependency: 'postgres' },
          },
        } satisfies ErrorBody);
    }
    const busy = temporalBusyOf(err);
    if (busy) {
      request.log.warn({ err }, 'the Temporal server turned the request away');
      const { code, message } = busy.error;
      return reply
        .status(statusForCode(code))
        .header('retry-after', String(busy.retryAfterSeconds))
        .send({ error: { code, message } } satisfies ErrorBody);
    }
    request.log.error({ err }, 'request failed');
    return reply
      .status(500)
      .send({ error: { code: ErrorCode.Internal, message: 'internal error; see the server log' } } satisfies ErrorBody);
  });

  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      error: { code: ErrorCode.RouteNotFound, message: `no route ${request.method} ${request.url.split('?')[0]}` },
    };
    return reply.status(404).send(body);
  });
}

export default fp(errorsPlugin, { name: 'errors' });
