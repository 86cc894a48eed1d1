/**
 * The notification sender: drains `notification_outbox` into an SMTP server (nodemailer), at least
 * once per row. A batch claims due rows with a short lease (one statement, no open transaction),
 * sends each, and marks it sent only after the server accepted it; a sender that dies between the
 * accept and the mark leaves the row to be sent again when the lease ends, with the same
 * Message-ID. Failures back off (delivery-policy.ts) until the message is dead, for an operator.
 */
import nodemailer from 'nodemailer';
import type { Drain, DrainResult } from '../drains/drain.js';
import type { PrismaClient } from '../db/prisma.js';
import { orderAccessToken, orderTrackingUrl } from '../api/identity/order-token.js';
import {
  backoffDelayMs,
  classifySendFailure,
  defaultRetryPolicy,
  isSingleAddress,
  messageIdFor,
  parseMailFrom,
  type RetryPolicy,
  type SendFailure,
} from './delivery-policy.js';
import * as outbox from './outbox.js';
import type { ClaimedNotification } from './outbox.js';
import { renderMail, type MailContext } from './templates.js';

export interface SenderLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface NotificationSenderDeps {
  prisma: PrismaClient;
  /** SMTP server (smtp://user:pass@host:587, smtps://...). Unset: nothing is sent, rows stay pending. */
  smtpUrl: string | undefined;
  /** From: of every message (`Shop <orders@shop.example>`); its domain names the Message-IDs. */
  from: string;
  /** Where operator alerts go; unset, they are marked skipped (visible to operators), not mailed. */
  operatorEmail?: string | undefined;
  /** The storefront's origin, for the tracking links (PUBLIC_URL). */
  publicUrl: string;
  /** The key of the orders' access tokens (ORDER_TOKEN_SECRET): the links must open the order. */
  orderTokenSecret: string;
  retry?: Partial<RetryPolicy>;
  /** How long a claimed row is this sender's alone (default 5 min); a dead sender's rows wait this long. */
  leaseMs?: number;
  /** No send starts after a batch has run this long (default 60 s): one batch stays one short activity. */
  batchTimeMs?: number;
  clock?: () => Date;
  logger?: SenderLogger;
  /** The outbox's steps; tests replace one to make it fail (a crash between accept and mark). */
  outbox?: Partial<typeof outbox>;
}

/** Kinds for the shop's operators rather than a customer (their recipient is null). */
const OPERATOR_KINDS = new Set(['operator_alert']);

const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/** A Drain that mails the outbox: the `sender-notifications` workflow runs its batches. */
export function createNotificationSender(deps: NotificationSenderDeps): Drain {
  const store = { ...outbox, ...deps.outbox };
  const { prisma } = deps;
  const clock = deps.clock ?? (() => new Date());
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...deps.retry };
  const leaseMs = deps.leaseMs ?? 300_000;
  // A send started before this is over (SMTP_TIMEOUTS) long before the lease ends and another sender may take the row.
  const sendWindowMs = Math.min(deps.batchTimeMs ?? 60_000, leaseMs / 2);
  const sender = parseMailFrom(deps.from);
  const context: MailContext = {
    publicUrl: deps.publicUrl,
    shopName: sender.name,
    trackingUrl: (orderId) =>
      orderTrackingUrl(deps.publicUrl, orderId, orderAccessToken(deps.orderTokenSecret, orderId)),
  };
  const transport = deps.smtpUrl
    ? nodemailer.createTransport({ url: deps.smtpUrl, pool: true, maxConnections: 1, ...SMTP_TIMEOUTS })
    : undefined;
  // A pooled connection dropping between batches is reported here; the next send reconnects.
  transport?.on('error', (err) => deps.logger?.warn({ err: err.message }, 'SMTP connection error'));
  let warnedUnconfigured = false;

  /** Who gets it, or why nobody does. */
  function recipientOf(row: ClaimedNotification): { to: string } | { skip: string } | { invalid: string } {
    if (OPERATOR_KINDS.has(row.kind)) {
      return deps.operatorEmail
        ? { to: parseMailFrom(deps.operatorEmail).address }
        : { skip: 'not mailed: OPERATOR_EMAIL is not set (operator alerts go nowhere by mail)' };
    }
    if (!row.recipient) return { skip: 'not mailed: the customer gave no e-mail address' };
    return isSingleAddress(row.recipient)
      ? { to: row.recipient }
      : { invalid: 'not mailed: the recipient is not one e-mail address' };
  }

  async function fail(row: ClaimedNotification, failure: SendFailure, messageId: string): Promise<void> {
    const attempts = row.attempts + 1;
    const dead = failure.permanent || attempts >= policy.maxAttempts;
    const nextAttemptAt = new Date(clock().getTime() + backoffDelayMs(attempts, policy));
    await store.markFailed(prisma, row.id, { attempts, nextAttemptAt, error: failure.error, dead, messageId });
    deps.logger?.warn(
      { notificationId: row.id, kind: row.kind, attempts, error: failure.error, ...(dead ? {} : { nextAttemptAt }) },
      dead ? 'notification dead: an operator can retry it' : 'notification not sent; trying again later',
    );
  }

  async function send(row: ClaimedNotification, to: string, messageId: string): Promise<void> {
    const mail = renderMail(row, context);
    await transport!.sendMail({
      from: { name: sender.name, address: sender.address },
      // An address object, never a string nodemailer would parse as a list.
      to: { name: '', address: to },
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId,
      headers: { 'X-Notification-Kind': row.kind.replace(/[^\w.-]/g, '_').slice(0, 64) },
    });
  }

  async function runBatch(limit: number): Promise<DrainResult> {
    if (!transport) {
      if (!warnedUnconfigured)
        deps.logger?.warn({}, 'SMTP_URL is not set: notifications stay pending in the outbox until it is');
      warnedUnconfigured = true;
      return { applied: 0 };
    }
    const startedAt = clock().getTime();
    const leaseUntil = new Date(startedAt + leaseMs);
    const rows = await store.claimDue(prisma, { now: clock(), leaseUntil, limit });
    let applied = 0;
    let next = 0;
    try {
      for (; next < rows.length; next++) {
        const row = rows[next]!;
        if (clock().getTime() > startedAt + sendWindowMs) break;
        const messageId = messageIdFor(row.id, sender.domain);
        const recipient = recipientOf(row);
        if ('skip' in recipient) {
          await store.markSkipped(prisma, row.id, recipient.skip);
          deps.logger?.warn({ notificationId: row.id, kind: row.kind }, recipient.skip);
        } else if ('invalid' in recipient) {
          await fail(row, { error: recipient.invalid, permanent: true, serverDown: false }, messageId);
        } else {
          let failure: SendFailure | undefined;
          try {
            await send(row, recipient.to, messageId);
          } catch (err) {
            failure = classifySendFailure(err);
          }
          if (failure?.serverDown) {
            // The server is away: every message of the batch counts this try and waits alike.
            for (const waiting of rows.slice(next))
              await fail(waiting, failure, messageIdFor(waiting.id, sender.domain));
            applied += rows.length - next;
            next = rows.length;
            break;
          }
          if (failure) await fail(row, failure, messageId);
          // Only now, after the server's accept: a crash before this line sends the row again.
          else await store.markSent(prisma, row.id, messageId, clock());
        }
        applied++;
      }
    } finally {
      // Rows this batch did not finish (it ran out of lease, or a step threw) are anyone's again.
      await store
        .release(
          prisma,
          rows.slice(next).map((r) => r.id),
          leaseUntil,
        )
        .catch(() => undefined);
    }
    const due = await store.nextDueAt(prisma);
    return due ? { applied, nextDueInMs: Math.max(0, due.getTime() - clock().getTime()) } : { applied };
  }

  return {
    runBatch,
    async close() {
      transport?.close();
    },
  };
}
