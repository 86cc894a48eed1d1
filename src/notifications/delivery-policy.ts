/**
 * The sender's rules, pure so they are unit-tested: when a failed message is tried again, which
 * failures end it at once, which mean the server itself is away, and what it is sent as.
 */

export interface RetryPolicy {
  /** The wait after the first failure; each further failure doubles it. */
  baseDelayMs: number;
  /** The longest wait between two tries. */
  maxDelayMs: number;
  /** Failed tries after which a message is dead (an operator retries it). */
  maxAttempts: number;
}

/**
 * 30 s, 1, 2, 4, 8, 16, 32 min, then hourly: the tenth failure, about three hours after the first,
 * is the last. Long enough to outlast a mail provider's incident, short enough that an operator
 * hears of a message that cannot go while the news in it still matters.
 */
export const defaultRetryPolicy: RetryPolicy = { baseDelayMs: 30_000, maxDelayMs: 3_600_000, maxAttempts: 10 };

/** The wait after the `failedAttempts`-th failure (1 for the first): base × 2^(n−1), capped. No jitter: it is the same on every worker, and the lease already spreads senders. */
export function backoffDelayMs(failedAttempts: number, policy: RetryPolicy = defaultRetryPolicy): number {
  const doublings = Math.max(0, Math.min(failedAttempts - 1, 40));
  return Math.min(policy.baseDelayMs * 2 ** doublings, policy.maxDelayMs);
}

export interface SendFailure {
  /** Readable, for `last_error`: the server's reply when there was one. */
  error: string;
  /** The server refused this message for good: trying it again gets the same answer. */
  permanent: boolean;
  /** Nothing could be sent (no connection, TLS or login failed): the batch's other messages wait too. */
  serverDown: boolean;
}

/** Codes nodemailer gives when the server was reached and refused the envelope or the message itself. */
const MESSAGE_CODES = new Set(['EENVELOPE', 'EMESSAGE']);

/**
 * Sorts a send's error. The rule for giving up early: a 5xx reply (RFC 5321: permanent) to the
 * envelope or the message (an unknown mailbox, a message refused as such) ends the message at once,
 * since the same message would be refused the same way. A 5xx at connection or login (530, 535: our
 * credentials or the server's setup), or to MAIL FROM (our MAIL_FROM, which the provider does not
 * let us send as), is not the message's fault: it is retried like an outage, so fixing the setup
 * lets everything through. 4xx replies and network errors are retried.
 */
export function classifySendFailure(err: unknown): SendFailure {
  const e = (err ?? {}) as {
    code?: unknown;
    command?: unknown;
    responseCode?: unknown;
    response?: unknown;
    message?: unknown;
  };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const status = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const detail = typeof e.response === 'string' && e.response ? e.response : String(e.message ?? err);
  // MAIL FROM carries the shop's MAIL_FROM, the same on every message: refused, it is our setup.
  const aboutMessage = code !== undefined && MESSAGE_CODES.has(code) && e.command !== 'MAIL FROM';
  return {
    error: [code, detail].filter(Boolean).join(': ').replace(/\s+/g, ' ').slice(0, 1_000),
    permanent: aboutMessage && status !== undefined && status >= 500 && status < 600,
    serverDown: !aboutMessage,
  };
}

/** One plain address: a list (`a@x, b@y`), a display name or a header break would mail someone else. */
export function isSingleAddress(value: string): boolean {
  return value.length <= 254 && /^[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+$/.test(value);
}

/** The parts of MAIL_FROM the sender needs: the address, a name to sign with, and the domain of the Message-IDs. */
export function parseMailFrom(from: string): { address: string; name: string; domain: string } {
  const angle = /^\s*(.*?)\s*<([^<>]+)>\s*$/.exec(from);
  const address = (angle ? angle[2]! : from).trim();
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase() || 'localhost';
  const name = angle?.[1]?.replace(/^"|"$/g, '').trim() || domain;
  return { address, name, domain };
}

/**
 * A message's Message-ID, fixed by its outbox row: sent again after a crash between the server's
 * accept and our mark, it is recognisably the same message (and mail clients show it once).
 */
export function messageIdFor(notificationId: string, domain: string): string {
  return `<notification-${notificationId}@${domain}>`;
}
