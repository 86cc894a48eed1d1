import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import { textProblems, type TextProblem } from '../../domain/text.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Top-level body fields whose text is checked item by item further on instead (a bulk
     * import's rows: a bad row fails alone, with its reason, and the good ones are applied).
     */
    textCheckedPerItem?: string[];
  }
}

/** Fields that may hold line breaks and tabs. */
const MULTILINE = new Set(['description']);

/**
 * Refuses, before anything else sees them, texts no part of the system can store or show as
 * given: NUL and other control characters, and unpaired surrogates, anywhere in the query string,
 * the path or a JSON body. 400 validation_failed, naming each field, as schema validation does.
 */
async function textGuard(app: FastifyInstance) {
  app.addHook('preValidation', async (request) => {
    const skip = new Set(request.routeOptions.config.textCheckedPerItem ?? []);
    const body =
      request.body !== null && typeof request.body === 'object' && !Buffer.isBuffer(request.body)
        ? Object.fromEntries(Object.entries(request.body).filter(([key]) => !skip.has(key)))
        : typeof request.body === 'string'
          ? request.body
          : undefined;
    const problems: (TextProblem & { in: string })[] = [
      ...textProblems(request.params).map((p) => ({ in: 'path', ...p })),
      ...textProblems(request.query).map((p) => ({ in: 'query', ...p })),
      ...textProblems(body, MULTILINE).map((p) => ({ in: 'body', ...p })),
    ];
    const first = problems[0];
    if (first) {
      throw new DomainError(
        ErrorCode.ValidationFailed,
        `${first.in} ${first.field ? `'${first.field}' ` : ''}${first.message}`,
        problems,
      );
    }
  });
}

export default fp(textGuard, { name: 'text-guard' });
