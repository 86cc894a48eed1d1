import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma } from '../../src/db/prisma.js';
import { PaymentRequestError, type AuthorizeInput } from '../../src/payments/provider.js';
import { SimulatedPaymentProvider } from '../../src/payments/simulated-provider.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { describeProviderContract, expectRequestError } from './provider-contract.js';

const BASE_URL = 'http://shop.test';
const DAY = 24 * 3_600_000;

// One database for the file: the contract and the simulated-only tests use unique keys and ids.
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describeProviderContract('simulated', async () => {
  const provider = new SimulatedPaymentProvider(db.prisma, { publicBaseUrl: BASE_URL });
  return {
    provider,
    authenticate: async (id, outcome) => {
      await provider.authenticate(id, outcome);
    },
    teardown: async () => {},
  };
});

/** A clock the test moves by hand. */
function manualClock(start = new Date('2026-11-21T12:00:00.000Z')) {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
  };
}

function input(paymentMethod = 'pm_card_visa', overrides: Partial<AuthorizeInput> = {}): AuthorizeInput {
  const orderId = `order-${randomUUID()}`;
  return {
    amountCents: 1999,
    currency: 'USD',
    paymentMethod,
    idempotencyKey: `sim-${randomUUID()}`,
    metadata: { orderId, workflowId: `order/${orderId}`, attempt: '1' },
    ...overrides,
  };
}

const newKey = () => `sim-${randomUUID()}`;

describe('SimulatedPaymentProvider', () => {
  it('answers with Stripe-shaped ids, a lowercase currency and a hold of the configured length', async () => {
    const clock = manualClock();
    const provider = new SimulatedPaymentProvider(db.prisma, {
      publicBaseUrl: `${BASE_URL}/`,
      authorizationValidityMs: 2 * DAY,
      now: clock.now,
    });
    const intent = await provider.authorize(input());
    expect(intent.id).toMatch(/^pi_sim_[0-9A-Za-z]{24}$/);
    expect(intent.clientSecret).toMatch(new RegExp(`^${intent.id}_secret_[0-9A-Za-z]+$`));
    expect(intent.currency).toBe('usd');
    expect(intent.captureBefore).toBe(new Date(clock.now().getTime() + 2 * DAY).toISOString());

    const captured = await provider.capture({ paymentId: intent.id, amountCents: 1999, idempotencyKey: newKey() });
    const refund = await provider.refund({ paymentId: captured.id, amountCents: 1, idempotencyKey: newKey() });
    expect(refund.id).toMatch(/^re_sim_[0-9A-Za-z]{24}$/);
  });

  it('points 3-D Secure at the simulated page and has no hold to lapse until then', async () => {
    const provider = new SimulatedPaymentProvider(db.prisma, { publicBaseUrl: BASE_URL });
    const intent = await provider.authorize(input('pm_card_threeDSecure2Required'));
    expect(intent.nextAction).toEqual({
      type: 'redirect_to_url',
      url: `${BASE_URL}/simulated-payments/${intent.id}/authenticate`,
    });
    expect(intent.captureBefore).toBeNull();
  });

  it('starts the hold when the customer authenticates, not when the PaymentIntent was created', async () => {
    const clock = manualClock();
    const provider = new SimulatedPaymentProvider(db.prisma, { publicBaseUrl: BASE_URL, now: clock.now });
    const intent = await provider.authorize(input('pm_card_authenticationRequired'));
    clock.advance(3 * DAY);
    const authorized = await provider.authenticate(intent.id, 'succeed');
    expect(authorized).toMatchObject({ status: 'requires_capture', amountCapturable: 1999, nextAction: null });
    expect(authorized.captureBefore).toBe(new Date(clock.now().getTime() + 7 * DAY).toISOString());
  });

  it('records why authentication failed and refuses to authenticate twice', async () => {
    const provider = new SimulatedPaymentProvider(db.prisma, { publicBaseUrl: BASE_URL });
    const intent = await provider.authorize(input('pm_card_authenticationRequired'));
    const failed = await provider.authenticate(intent.id, 'fail');
    expect(failed.lastError).toEqual({
      code: 'payment_intent_authentication_failure',
      declineCode: null,
      message: 'The provided PaymentMethod has failed authentication.',
    });
    await expectRequestError(provider.authenticate(intent.id, 'succeed'), 'payment_intent_unexpected_state');
    const visa = await provider.authorize(input());
    await expectRequestError(provider.authenticate(visa.id, 'succeed'), 'payment_intent_unexpected_state');
  });

  it('gives the decline codes and messages of Stripe test mode', async () => {
    const provider = new SimulatedPaymentProvider(db.prisma, { publicBaseUrl: BASE_URL });
    const cases = {
      pm_card_chargeDeclined: {
        code: 'card_declined',
        declineCode: 'generic_decline',
        message: 'Your card was declined.',
      },
      pm_card_chargeDeclinedInsufficientFunds: {
        code: 'card_declined',
        declineCode: 'insufficient_funds',
        message: 'Your card has insufficient funds.',
      },
      pm_card_chargeDeclinedExpiredCard: { code: 'expired_card', declineCode: 'expired_card' },
      pm_card_chargeDeclinedIncorrectCvc: { code: 'incorrect_cvc', declineCode: 'incorrect_cvc' },
      pm_card_chargeDeclinedProcessingError: { code: 'processing_error', declineCode: 'processing_error' },
    };
    for (const [pm, expected] of Object.entries(cases)) {
      const intent = await provider.authorize(input(pm));
      expect(intent.lastError).toMatchObject(expected);
      expect(intent.captureBefore).toBeNull();
      expect(intent.nextAction).toBeNull();
    }
  });

  it('leaves the key unused when the payment method is unknown, so a corrected retry goes through', async () => {
    const provider = new SimulatedPaymentProvider(db.prisma, { publicBaseUrl: BASE_URL });
    const request = input('pm_card_typo');
    const refused = await expectRequestError(provider.authorize(request), 'resource_missing');
    expect(refused.message).toBe("No such PaymentMethod: 'pm_card_typo'");
    const intent = await provider.authorize({ ...request, paymentMethod: 'pm_card_visa' });
    expect(intent.status).toBe('requires_capture');
  });

  it('refuses amounts that are not positive integers before taking the key', async () => {
    const provider = new SimulatedPaymentProvider(db.prisma, { publicBaseUrl: BASE_URL });
    await expectRequestError(
      provider.authorize(input('pm_card_visa', { amountCents: 0 })),
      'parameter_invalid_integer',
    );
    const intent = await provider.authorize(input());
    await expectRequestError(
      provider.capture({ paymentId: intent.id, amountCents: 10.5, idempotencyKey: newKey() }),
      'parameter_invalid_integer',
    );
  });

  describe('authorization expiry', () => {
    it('refuses a capture after captureBefore with charge_expired_for_capture and cancels the PaymentIntent', async () => {
      const clock = manualClock();
      const provider = new SimulatedPaymentProvider(db.prisma, { publicBaseUrl: BASE_URL, now: clock.now });
      const intent = await provider.authorize(input());
      clock.advance(Date.parse(intent.captureBefore!) - clock.now().getTime() + 1);

      const captureRequest = { paymentId: intent.id, amountCents: 1999, idempotencyKey: newKey() };
      const refused = await expectRequestError(provider.capture(captureRequest), 'charge_expired_for_capture');
      expect(refused.message).toContain(intent.id);
      expect(await provider.retrieve(intent.id)).toMatchObject({ status: 'canceled', amountCapturable: 0 });
      // Stripe replays a refusal under the same key; a new key meets the canceled PaymentIntent.
      await expectRequestError(provider.capture({ ...captureRequest }), 'charge_expired_for_capture');
      await expectRequestError(
        provider.capture({ ...captureRequest, idempotencyKey: newKey() }),
        'payment_intent_unexpected_state',
      );
      await expectRequestError(
        provider.cancel({ paymentId: intent.id, idempotencyKey: newKey() }),
        'payment_intent_unexpected_state',
      );
    });

    it('still captures just before captureBefore', async () => {
      const clock = manualClock();
      const provider = new SimulatedPaymentProvider(db.prisma, { publicBaseUrl: BASE_URL, now: clock.now });
      const intent = await provider.authorize(input());
      clock.advance(7 * DAY - 1);
      const captured = await provider.capture({ paymentId: intent.id, amountCents: 1999, idempotencyKey: newKey() });
      expect(captured.status).toBe('succeeded');
      clock.advance(30 * DAY);
      expect((await provider.retrieve(intent.id)).status).toBe('succeeded');
    });

    it('shows a lapsed authorization as canceled on retrieve, so no one counts on the hold', async () => {
      const clock = manualClock();
      const provider = new SimulatedPaymentProvider(db.prisma, { publicBaseUrl: BASE_URL, now: clock.now });
      const intent = await provider.authorize(input());
      clock.advance(8 * DAY);
      expect(await provider.retrieve(intent.id)).toMatchObject({ status: 'canceled', amountCapturable: 0 });
      const row = await db.prisma.simulatedPaymentIntent.findUniqueOrThrow({ where: { id: intent.id } });
      expect(row.status).toBe('canceled');
    });
  });

  describe('concurrency', () => {
    // Open every pooled connection first: on a cold pool the racers connect one by one and never overlap.
    beforeAll(async () => {
      await Promise.all(Array.from({ length: 5 }, () => db.prisma.$executeRaw`SELECT pg_sleep(0.05)`));
    });

    it('lets exactly one of several racing captures (different keys) succeed', async () => {
      const provider = new SimulatedPaymentProvider(db.prisma, { publicBaseUrl: BASE_URL });
      const intent = await provider.authorize(input());
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, () =>
          provider.capture({ paymentId: intent.id, amountCents: 1999, idempotencyKey: newKey() }),
        ),
      );
      const succeeded = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(succeeded).toHaveLength(1);
      expect(refused).toHaveLength(7);
      for (const r of refused) {
        expect(r.reason).toBeInstanceOf(PaymentRequestError);
        expect((r.reason as PaymentRequestError).code).toBe('payment_intent_unexpected_state');
      }
      expect(await provider.retrieve(intent.id)).toMatchObject({ status: 'succeeded', amountReceived: 1999 });
    });

    it('never refunds more than was captured when refunds race', async () => {
      const provider = new SimulatedPaymentProvider(db.prisma, { publicBaseUrl: BASE_URL });
      const intent = await provider.authorize(input());
      await provider.capture({ paymentId: intent.id, amountCents: 1999, idempotencyKey: newKey() });
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, () =>
          provider.refund({ paymentId: intent.id, amountCents: 700, idempotencyKey: newKey() }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
      expect((await provider.retrieve(intent.id)).amountRefunded).toBe(1400);
    });

    it('creates one PaymentIntent for racing authorizes under one key', async () => {
      const provider = new SimulatedPaymentProvider(db.prisma, { publicBaseUrl: BASE_URL });
      const request = input();
      const results = await Promise.all(Array.from({ length: 8 }, () => provider.authorize({ ...request })));
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      const rows = await db.prisma.simulatedPaymentIntent.count({
        where: { metadata: { path: ['orderId'], equals: request.metadata.orderId } },
      });
      expect(rows).toBe(1);
    });

    it('answers racing retries of one capture with the same success', async () => {
      const provider = new SimulatedPaymentProvider(db.prisma, { publicBaseUrl: BASE_URL });
      const intent = await provider.authorize(input());
      const request = { paymentId: intent.id, amountCents: 1200, idempotencyKey: newKey() };
      const results = await Promise.all(Array.from({ length: 6 }, () => provider.capture({ ...request })));
      for (const r of results) expect(r).toMatchObject({ status: 'succeeded', amountReceived: 1200 });
    });
  });

  it('keeps PaymentIntents, refunds and idempotent answers across a restart', async () => {
    const before = new SimulatedPaymentProvider(db.prisma, { publicBaseUrl: BASE_URL });
    const request = input();
    const intent = await before.authorize(request);
    await before.capture({ paymentId: intent.id, amountCents: 1500, idempotencyKey: newKey() });
    const refund = await before.refund({ paymentId: intent.id, amountCents: 400, idempotencyKey: newKey() });

    // A new process: its own connection pool and provider instance on the same database.
    const prisma = createPrisma(db.url, 2);
    try {
      const after = new SimulatedPaymentProvider(prisma, { publicBaseUrl: BASE_URL });
      expect(await after.retrieve(intent.id)).toMatchObject({
        status: 'succeeded',
        amountReceived: 1500,
        amountRefunded: 400,
        metadata: request.metadata,
      });
      expect(await after.retrieveRefund(refund.id)).toEqual(refund);
      expect((await after.authorize({ ...request })).id).toBe(intent.id);
      const more = await after.refund({ paymentId: intent.id, amountCents: 1100, idempotencyKey: newKey() });
      expect(more.status).toBe('succeeded');
      expect((await before.retrieve(intent.id)).amountRefunded).toBe(1500);
    } finally {
      await prisma.$disconnect();
    }
  });
});
