/**
 * The sender's rules (src/notifications/delivery-policy.ts) against a mail server that refuses our
 * own setup rather than one message: refusing MAIL FROM (the shop's MAIL_FROM, the same on every
 * message: an address the provider does not let us send as) is like a refused login, not like an
 * unknown mailbox. Counted as permanent it would make every message of the outbox dead at once,
 * each one to be retried by hand once the setup is fixed.
 */
import { describe, expect, it } from 'vitest';
import { classifySendFailure } from '../../src/notifications/delivery-policy.js';

describe('a send the server refuses', () => {
  it('waits like an outage when the server refuses our sender (MAIL FROM), whatever the message', () => {
    const refused = classifySendFailure({
      code: 'EENVELOPE',
      command: 'MAIL FROM',
      responseCode: 550,
      response: '550 5.7.1 Sender address rejected: not owned by user',
      message: 'Mail command failed',
    });
    expect(refused).toMatchObject({ permanent: false, serverDown: true });
  });

  it('still ends a message whose recipient the server refuses for good', () => {
    const unknown = classifySendFailure({
      code: 'EENVELOPE',
      command: 'RCPT TO',
      responseCode: 550,
      response: '550 5.1.1 No such user',
    });
    expect(unknown).toMatchObject({ permanent: true, serverDown: false });
  });
});
