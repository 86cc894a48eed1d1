import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { EncryptionCodec, PayloadKeyError } from '../../codec/encryption-codec.js';
import type { Config } from '../../config.js';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import { adminTokenCheck, bearerToken } from '../plugins/admin-auth.js';
import { errors } from '../schemas/common.js';

// @temporalio/proto is CommonJS: its namespaces come from its default export under Node's ESM.
const { temporal } = proto;

declare module 'fastify' {
  interface Session {
    /** Set by POST /api/operator/session: this browser may decode Temporal payloads. */
    operator?: boolean;
  }
}

const tags = ['operator'];
/** Standard base64, padded: what proto3 JSON writes for bytes. */
const Base64 = Type.String({
  maxLength: 4_000_000,
  pattern: '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$',
});
/** Temporal's `Payloads` in proto3 JSON: bytes as base64, as the Web UI and the CLI send them. */
const Payloads = Type.Object(
  {
    payloads: Type.Array(
      Type.Object(
        {
          metadata: Type.Optional(Type.Record(Type.String({ maxLength: 200 }), Base64)),
          data: Type.Optional(Base64),
        },
        { additionalProperties: false },
      ),
      { maxItems: 1_000 },
    ),
  },
  { additionalProperties: false },
);
const OperatorSignIn = Type.Object(
  { adminToken: Type.String({ minLength: 1, maxLength: 1_000 }) },
  { additionalProperties: false },
);

/**
 * Temporal's remote codec protocol (POST <endpoint>/encode and /decode), so an operator's Web UI and
 * `temporal` CLI show histories in clear: only for an operator (the admin token as a bearer token, or
 * a browser that opened an operator session with it), and only from the origins CODEC_CORS_ORIGINS
 * allows (the Temporal Web UI's by default).
 */
export const codecRoutes: FastifyPluginAsyncTypebox<{ config: Config }> = async (app, { config }) => {
  const codec = new EncryptionCodec(config.security.payloadKeys);
  const isAdminToken = adminTokenCheck(config.adminToken);

  function requireOperator(request: FastifyRequest) {
    if (request.session.get('operator') === true) return;
    const token = bearerToken(request.headers.authorization);
    if (!token)
      throw new DomainError(
        ErrorCode.Unauthorized,
        'the codec needs an operator: open an operator session (POST /api/operator/session) or send the admin token as a bearer token',
      );
    if (!isAdminToken(token)) throw new DomainError(ErrorCode.Forbidden, 'the admin token is not valid');
  }

  const toWire = (payloads: Payload[]) =>
    temporal.api.common.v1.Payloads.toObject(temporal.api.common.v1.Payloads.fromObject({ payloads }), {
      bytes: String,
    });
  const fromWire = (body: unknown) => {
    try {
      return (temporal.api.common.v1.Payloads.fromObject(body as object).payloads ?? []) as Payload[];
    } catch (err) {
      throw new DomainError(
        ErrorCode.ValidationFailed,
        `payloads are not Temporal Payloads JSON: ${(err as Error).message}`,
      );
    }
  };

  for (const direction of ['encode', 'decode'] as const) {
    app.post(
      `/codec/${direction}`,
      {
        schema: {
          tags,
          summary:
            direction === 'decode'
              ? 'Decrypt Temporal payloads (remote codec)'
              : 'Encrypt Temporal payloads (remote codec)',
          description:
            "Temporal's codec server protocol: `Payloads` as proto3 JSON in and out. Payloads not encrypted pass through.",
          security: [{ adminToken: [] }, { operatorSession: [] }],
          body: Payloads,
          response: { 200: Payloads, ...errors(400, 401, 403, 422) },
        },
      },
      async (request) => {
        requireOperator(request);
        const payloads = fromWire(request.body);
        try {
          const out = direction === 'decode' ? await codec.decode(payloads) : await codec.encode(payloads);
          return { payloads: toWire(out).payloads ?? [] };
        } catch (err) {
          if (err instanceof PayloadKeyError) throw new DomainError(ErrorCode.PayloadUndecodable, err.message);
          throw err;
        }
      },
    );
  }

  app.post(
    '/api/operator/session',
    {
      schema: {
        tags,
        summary: 'Open an operator session (this browser may use the codec endpoint)',
        description:
          'For the Temporal Web UI: with "Include cross-origin credentials" on in its codec settings, it sends this cookie.',
        body: OperatorSignIn,
        response: { 204: Type.Null(), ...errors(400, 403, 429) },
      },
    },
    async (request, reply) => {
      if (!isAdminToken(request.body.adminToken))
        throw new DomainError(ErrorCode.Forbidden, 'the admin token is not valid');
      await request.session.regenerate(['cartIds', 'customerId']);
      request.session.set('operator', true);
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/api/operator/session',
    { schema: { tags, summary: 'Close the operator session', response: { 204: Type.Null(), ...errors(429) } } },
    async (request, reply) => {
      request.session.set('operator', undefined);
      return reply.status(204).send(null);
    },
  );
};
