import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { DomainError, ErrorCode } from '../../domain/errors.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Whether a token is the admin token, compared in constant time (digests: equal lengths). */
export function adminTokenCheck(adminToken: string): (token: string) => boolean {
  const expected = digest(adminToken);
  return (token) => timingSafeEqual(digest(token), expected);
}

/** The token of an `Authorization: Bearer <token>` header, if that is what it is. */
export const bearerToken = (header: string | undefined): string | undefined =>
  header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;

/**
 * Guards every route registered in the same scope: `Authorization: Bearer <ADMIN_TOKEN>`.
 * 401 without credentials, 403 with wrong ones; compared in constant time.
 */
export function requireAdmin(app: FastifyInstance, adminToken: string): void {
  const isAdminToken = adminTokenCheck(adminToken);
  app.addHook('onRequest', async (request) => {
    const token = bearerToken(request.headers.authorization);
    if (!token)
      throw new DomainError(ErrorCode.Unauthorized, 'admin routes need an Authorization: Bearer <token> header');
    if (!isAdminToken(token)) throw new DomainError(ErrorCode.Forbidden, 'the admin token is not valid');
  });
}
