import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NOTIFICATIONS_DRAIN, workflowId } from '../../contracts/temporal.js';
import { Type } from 'typebox';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import {
  getNotification,
  listNotifications,
  notificationStatuses,
  retryNotification,
} from '../../notifications/outbox.js';
import type { AppDeps } from '../app.js';
import { adminSecurity, errors } from '../schemas/common.js';

const Notification = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    kind: Type.String({ description: 'order_confirmed, order_shipped, cart_reminder, operator_alert, ...' }),
    subjectId: Type.String({ description: 'The order or cart the message is about' }),
    recipient: Type.Union([Type.String(), Type.Null()], { description: 'null: operators, or a guest with no e-mail' }),
    status: Type.Enum([...notificationStatuses], {
      description:
        'pending (waiting to be sent, or backing off after a failure), sent (the SMTP server accepted it), dead (too many failures, or refused for good: retry it), skipped (nobody to mail it to: lastError says why)',
    }),
    attempts: Type.Integer({ minimum: 0, description: 'Failed sends so far' }),
    nextAttemptAt: Type.String({ format: 'date-time' }),
    lastError: Type.Union([Type.String(), Type.Null()]),
    sentAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    messageId: Type.Union([Type.String(), Type.Null()], {
      description: 'The Message-ID it goes out with, the same on every resend: <notification-<id>@<MAIL_FROM domain>>',
    }),
    createdAt: Type.String({ format: 'date-time' }),
    payload: Type.Record(Type.String(), Type.Unknown()),
  },
  { title: 'Notification', description: 'A message in the notification outbox and how its delivery stands' },
);

const NotificationIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });

/** Operators: the notification outbox, what did not go out and why, and a retry. Needs the admin token. */
export const adminNotificationRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, { prisma, temporal }) => {
  const tags = ['admin'];

  app.get(
    '/api/admin/notifications',
    {
      schema: {
        tags,
        security: adminSecurity,
        summary: 'Outbox messages, newest first, by delivery state',
        description:
          'Every customer e-mail (and operator alert) the workflows wrote. `status=dead` lists what failed too often or was refused for good (retry it with POST /api/admin/notifications/:id/retry); `status=skipped` what had nobody to go to; `status=pending` what waits (with `nextAttemptAt` and `lastError` when backing off). Filter by `subjectId` (an order or cart id). Page with `limit` and the `nextCursor` of the previous page.',
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Enum([...notificationStatuses])),
            subjectId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(Notification), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
          ...errors(400, 401, 403, 422),
          // 422: invalid_cursor
        },
      },
    },
    async (request) => listNotifications(prisma, { ...request.query, limit: request.query.limit ?? 50 }),
  );

  app.get(
    '/api/admin/notifications/:id',
    {
      schema: {
        tags,
        security: adminSecurity,
        summary: 'One outbox message and how its delivery stands',
        params: NotificationIdParams,
        response: { 200: Notification, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const row = await getNotification(prisma, request.params.id);
      if (!row) throw new DomainError(ErrorCode.NotificationNotFound, `no notification ${request.params.id}`);
      return row;
    },
  );

  app.post(
    '/api/admin/notifications/:id/retry',
    {
      schema: {
        tags,
        security: adminSecurity,
        summary: 'Send a dead or skipped message again (or a backing-off one now)',
        description:
          'A dead or skipped message becomes pending with its attempts reset; a pending one, backing off after a failure, is due at once. The sender takes it on its next batch. Fix the cause first (the address, the SMTP server, OPERATOR_EMAIL). 409 nothing_to_retry once it was sent.',
        params: NotificationIdParams,
        response: { 200: Notification, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const outcome = await retryNotification(prisma, request.params.id, new Date());
      if (!outcome) throw new DomainError(ErrorCode.NotificationNotFound, `no notification ${request.params.id}`);
      if (!outcome.retried)
        throw new DomainError(ErrorCode.NothingToRetry, `notification ${request.params.id} was sent already`, {
          sentAt: outcome.row.sentAt,
        });
      // Wake the sender now rather than at its next poll (best effort: the poll comes all the same).
      // Not awaited: with Temporal away the signal takes its retries (20 s), and the retry, already
      // applied, would be answered 503 by the answer-within net.
      void temporal.client.workflow
        .getHandle(workflowId.drain(NOTIFICATIONS_DRAIN))
        .signal('nudge')
        .catch(() => undefined);
      return outcome.row;
    },
  );
};
