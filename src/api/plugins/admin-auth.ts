import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { DomainError, ErrorCode } from '../../domain/errors.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Guards every route registered in the same scope: `Authorization: Bearer <ADMIN_TOKEN>`.
 * 401 without credentials, 403 with wrong ones; compared in constant time.
 */
export function requireAdmin(app: FastifyInstance, adminToken: string): void {
  const expected = digest(adminToken);
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match)
      throw new DomainError(ErrorCode.Unauthorized, 'admin routes need an Authorization: Bearer <token> header');
    if (!timingSafeEqual(digest(match[1]!), expected))
      throw new DomainError(ErrorCode.Forbidden, 'the admin token is not valid');
  });
}
