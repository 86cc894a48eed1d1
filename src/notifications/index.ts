/** Customer e-mails from the outbox: the sender (a Drain), its templates and the operators' view. */
import type { Config } from '../config.js';
import type { Drain } from '../drains/drain.js';
import type { PrismaClient } from '../db/prisma.js';
import { createNotificationSender, type SenderLogger } from './sender.js';

export { createNotificationSender, type NotificationSenderDeps } from './sender.js';
export { defaultRetryPolicy, type RetryPolicy } from './delivery-policy.js';

/**
 * The sender as the worker runs it: SMTP_URL, MAIL_FROM, OPERATOR_EMAIL, PUBLIC_URL and
 * ORDER_TOKEN_SECRET from the config. Without SMTP_URL it sends nothing and says so once; the rows
 * wait in the outbox (pending) for a worker that has one.
 */
export function notificationSenderFromConfig(
  config: Config,
  deps: { prisma: PrismaClient; logger?: SenderLogger },
): Drain {
  return createNotificationSender({
    prisma: deps.prisma,
    logger: deps.logger,
    smtpUrl: config.mail.smtpUrl,
    from: config.mail.from,
    operatorEmail: config.mail.operatorEmail,
    publicUrl: config.publicUrl,
    orderTokenSecret: config.security.orderTokenSecret,
  });
}
