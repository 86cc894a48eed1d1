/**
 * The sender's rules (src/notifications/delivery-policy.ts) and its settings: the backoff schedule,
 * which SMTP failures end a message at once, the Message-ID, and the mail config.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import {
  backoffDelayMs,
  classifySendFailure,
  defaultRetryPolicy,
  isSingleAddress,
  messageIdFor,
  parseMailFrom,
} from '../../src/notifications/delivery-policy.js';

const dataDir = () => mkdtempSync(path.join(tmpdir(), 'mail-config-'));

describe('notification delivery policy', () => {
  it('backs off 30 s, doubling, capped at an hour, and gives up after the tenth failure', () => {
    const schedule = Array.from({ length: 10 }, (_, i) => backoffDelayMs(i + 1) / 1000);
    expect(schedule).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
    expect(defaultRetryPolicy.maxAttempts).toBe(10);
  });

  it('never shrinks from one failure to the next and never passes the cap, for any policy', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 1, max: 200 }),
        (baseDelayMs, extra, n) => {
          const policy = { baseDelayMs, maxDelayMs: baseDelayMs + extra, maxAttempts: 5 };
          const [a, b] = [backoffDelayMs(n, policy), backoffDelayMs(n + 1, policy)];
          return a <= b && b <= policy.maxDelayMs && a >= baseDelayMs && Number.isFinite(b);
        },
      ),
    );
  });

  it('ends a message at once on a 5xx to its envelope or content, retries 4xx, and treats the rest as the server away', () => {
    const rejected = classifySendFailure(
      Object.assign(new Error('all recipients were rejected'), {
        code: 'EENVELOPE',
        responseCode: 550,
        response: '550 5.1.1 No such user',
      }),
    );
    expect(rejected).toEqual({ error: 'EENVELOPE: 550 5.1.1 No such user', permanent: true, serverDown: false });
    const refusedBody = classifySendFailure({ code: 'EMESSAGE', responseCode: 554, response: '554 spam' });
    expect(refusedBody.permanent).toBe(true);
    const greylisted = classifySendFailure({ code: 'EENVELOPE', responseCode: 451, response: '451 try later' });
    expect(greylisted).toMatchObject({ permanent: false, serverDown: false });
    const login = classifySendFailure({ code: 'EAUTH', responseCode: 535, response: '535 bad credentials' });
    expect(login).toMatchObject({ permanent: false, serverDown: true });
    const refused = classifySendFailure(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ESOCKET' }),
    );
    expect(refused).toEqual({ error: 'ESOCKET: connect ECONNREFUSED 127.0.0.1:1', permanent: false, serverDown: true });
    expect(classifySendFailure('boom')).toMatchObject({ permanent: false, serverDown: true });
  });

  it('takes one plain address only: no list, no display name, no header break', () => {
    expect(isSingleAddress('ana@example.com')).toBe(true);
    expect(isSingleAddress('ana+orders@sub.example.co.uk')).toBe(true);
    for (const bad of [
      'ana@example.com, eve@evil.example',
      'ana@example.com\r\nBcc: eve@evil.example',
      'Ana <ana@example.com>',
      'ana@example.com;eve@evil.example',
      'no-at-sign',
      `${'a'.repeat(250)}@example.com`,
    ])
      expect(isSingleAddress(bad), bad).toBe(false);
  });

  it('sends each outbox row as one fixed Message-ID on the From domain', () => {
    expect(parseMailFrom('Example Shop <orders@Shop.Example>')).toEqual({
      address: 'orders@Shop.Example',
      name: 'Example Shop',
      domain: 'shop.example',
    });
    expect(parseMailFrom('orders@shop.example')).toEqual({
      address: 'orders@shop.example',
      name: 'shop.example',
      domain: 'shop.example',
    });
    const id = '3f2a9c1e-1111-4222-8333-444455556666';
    expect(messageIdFor(id, 'shop.example')).toBe(`<notification-${id}@shop.example>`);
  });
});

describe('mail settings', () => {
  it('work with no setup: no SMTP server (messages wait), a From address, no operator address', () => {
    const config = loadConfig({ DATA_DIR: dataDir() });
    expect(config.mail).toEqual({ smtpUrl: undefined, from: 'Shop <orders@shop.localhost>', operatorEmail: undefined });
  });

  it('take SMTP_URL, MAIL_FROM and OPERATOR_EMAIL, and refuse a list or a header break in an address', () => {
    const config = loadConfig({
      DATA_DIR: dataDir(),
      SMTP_URL: 'smtps://user:secret@smtp.example:465',
      MAIL_FROM: 'Example Shop <orders@shop.example>',
      OPERATOR_EMAIL: 'ops@shop.example',
    });
    expect(config.mail).toEqual({
      smtpUrl: 'smtps://user:secret@smtp.example:465',
      from: 'Example Shop <orders@shop.example>',
      operatorEmail: 'ops@shop.example',
    });
    let problems: string[] = [];
    try {
      loadConfig({
        DATA_DIR: dataDir(),
        SMTP_URL: 'http://user:secret@smtp.example',
        MAIL_FROM: 'orders@shop.example\r\nBcc: eve@evil.example',
        OPERATOR_EMAIL: 'a@example.com, b@example.com',
      });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      problems = (err as ConfigError).problems;
    }
    expect(problems.map((p) => p.split(':')[0])).toEqual(['SMTP_URL', 'MAIL_FROM', 'OPERATOR_EMAIL']);
    // The SMTP URL may hold a password: never echoed.
    expect(problems.join('\n')).not.toContain('secret');
  });
});
