import { ServiceError } from '@temporalio/client';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import errorsPlugin, { statusForCode } from '../../src/api/plugins/errors.js';
import { ErrorCode } from '../../src/domain/errors.js';

describe('error codes', () => {
  it('are unique, snake_case wire values', () => {
    const values = Object.values(ErrorCode);
    expect(new Set(values).size).toBe(values.length);
    for (const code of values) expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
  });

  it('map to the HTTP statuses the API promises', () => {
    expect(statusForCode(ErrorCode.ValidationFailed)).toBe(400);
    expect(statusForCode(ErrorCode.Unauthorized)).toBe(401);
    expect(statusForCode(ErrorCode.Forbidden)).toBe(403);
    expect(statusForCode(ErrorCode.ProductNotFound)).toBe(404);
    expect(statusForCode(ErrorCode.SkuAlreadyExists)).toBe(409);
    expect(statusForCode(ErrorCode.VendorNotFound)).toBe(422);
    expect(statusForCode(ErrorCode.ServiceUnavailable)).toBe(503);
    for (const code of Object.values(ErrorCode)) expect(statusForCode(code)).toBeGreaterThanOrEqual(400);
  });
});

describe('a Temporal server that turns a request away', () => {
  /** An error shaped as @grpc/grpc-js raises it, wrapped by the Temporal client as it does. */
  const grpcFailure = (code: number, details: string) =>
    new ServiceError('Failed to issue the update', {
      cause: Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} }),
    });

  async function answerTo(thrown: Error) {
    const app = Fastify();
    await app.register(errorsPlugin);
    app.get('/boom', async () => {
      throw thrown;
    });
    try {
      return await app.inject({ method: 'GET', url: '/boom' });
    } finally {
      await app.close();
    }
  }

  it('answers 429 too_many_requests with Retry-After when it is out of room (too many in-flight updates)', async () => {
    const res = await answerTo(grpcFailure(8, 'limit on number of concurrent in-flight updates has been reached'));
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json().error.code).toBe(ErrorCode.TooManyRequests);
  });

  it('answers 503 service_unavailable with Retry-After when it cannot be reached', async () => {
    const res = await answerTo(grpcFailure(14, 'No connection established'));
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json().error.code).toBe(ErrorCode.ServiceUnavailable);
  });

  it('still answers 500, its message hidden, for any other failure', async () => {
    const res = await answerTo(grpcFailure(13, 'internal: something broke'));
    expect(res.statusCode).toBe(500);
    expect(res.json().error).toEqual({ code: ErrorCode.Internal, message: 'internal error; see the server log' });
  });
});
