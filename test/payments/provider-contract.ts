/**
 * The behaviour every PaymentProvider must show, written once and run against each implementation
 * (the simulated provider on Postgres now; Stripe's provider against stripe-mock and a scripted double
 * later). It asserts what Stripe documents for a manual-capture PaymentIntent and nothing
 * implementation-specific: ids only by their `pi_`/`re_` prefix, amounts as a shop would charge them.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PaymentRequestError,
  type AuthorizeInput,
  type PaymentIntentView,
  type PaymentProvider,
} from '../../src/payments/provider.js';

/** What a contract run needs from an implementation; `authenticate` plays the customer doing 3-D Secure. */
export interface ProviderContractSetup {
  provider: PaymentProvider;
  authenticate?: (id: string, outcome: 'succeed' | 'fail') => Promise<void>;
  teardown(): Promise<void>;
}

const AMOUNT = 1999;

/** Awaits a call that must be refused, and returns the refusal for further checks. */
export async function expectRequestError(call: Promise<unknown>, code?: string): Promise<PaymentRequestError> {
  let outcome: unknown;
  try {
    outcome = await call;
  } catch (error) {
    expect(error).toBeInstanceOf(PaymentRequestError);
    if (code !== undefined) expect((error as PaymentRequestError).code).toBe(code);
    return error as PaymentRequestError;
  }
  throw new Error(`expected a PaymentRequestError${code ? ` (${code})` : ''}, got ${JSON.stringify(outcome)}`);
}

/** Registers the provider contract suite; `setup` runs once before it and `teardown` once after. */
export function describeProviderContract(name: string, setup: () => Promise<ProviderContractSetup>): void {
  describe(`PaymentProvider contract: ${name}`, () => {
    let ctx: ProviderContractSetup;
    // Keys are unique per run, so the suite can share one provider account or database with others.
    const run = randomUUID();
    let sequence = 0;
    const key = (label: string) => `contract-${run}-${label}-${++sequence}`;

    beforeAll(async () => {
      ctx = await setup();
    });
    afterAll(async () => {
      await ctx?.teardown();
    });

    function input(paymentMethod: string, overrides: Partial<AuthorizeInput> = {}): AuthorizeInput {
      const orderId = `order-${randomUUID()}`;
      return {
        amountCents: AMOUNT,
        currency: 'usd',
        paymentMethod,
        idempotencyKey: key('authorize'),
        metadata: { orderId, workflowId: `order/${orderId}`, attempt: '1' },
        description: `Order ${orderId}`,
        ...overrides,
      };
    }

    const authorize = (paymentMethod: string, overrides: Partial<AuthorizeInput> = {}) =>
      ctx.provider.authorize(input(paymentMethod, overrides));

    async function authorized(): Promise<PaymentIntentView> {
      const intent = await authorize('pm_card_visa');
      expect(intent.status).toBe('requires_capture');
      return intent;
    }

    async function captured(amountCents = AMOUNT): Promise<PaymentIntentView> {
      const intent = await authorized();
      return ctx.provider.capture({ paymentId: intent.id, amountCents, idempotencyKey: key('capture') });
    }

    describe('authorize', () => {
      it('holds the amount on a good card and answers with the whole PaymentIntent', async () => {
        const request = input('pm_card_visa');
        const intent = await ctx.provider.authorize(request);
        expect(intent.id).toMatch(/^pi_/);
        expect(intent).toMatchObject({
          status: 'requires_capture',
          amount: AMOUNT,
          amountCapturable: AMOUNT,
          amountReceived: 0,
          amountRefunded: 0,
          nextAction: null,
          lastError: null,
          metadata: request.metadata,
        });
        expect(intent.currency.toLowerCase()).toBe('usd');
        expect(intent.captureBefore).not.toBeNull();
        expect(Date.parse(intent.captureBefore!)).toBeGreaterThan(Date.now());
      });

      it.each(['pm_card_visa', 'pm_card_mastercard', 'pm_card_amex', 'pm_card_discover'])(
        'authorizes with %s',
        async (paymentMethod) => {
          const intent = await authorize(paymentMethod);
          expect(intent).toMatchObject({ status: 'requires_capture', amountCapturable: AMOUNT });
        },
      );

      it.each([
        ['pm_card_chargeDeclined', 'card_declined', 'generic_decline'],
        ['pm_card_chargeDeclinedInsufficientFunds', 'card_declined', 'insufficient_funds'],
        ['pm_card_chargeDeclinedExpiredCard', 'expired_card', 'expired_card'],
        ['pm_card_chargeDeclinedIncorrectCvc', 'incorrect_cvc', undefined],
        ['pm_card_chargeDeclinedProcessingError', 'processing_error', undefined],
      ])(
        'answers a decline by %s as requires_payment_method (%s), not as an exception',
        async (pm, code, declineCode) => {
          const intent = await authorize(pm);
          expect(intent.id).toMatch(/^pi_/);
          expect(intent.status).toBe('requires_payment_method');
          expect(intent.amountCapturable).toBe(0);
          expect(intent.lastError?.code).toBe(code);
          if (declineCode) expect(intent.lastError?.declineCode).toBe(declineCode);
          expect(intent.lastError?.message).toEqual(expect.any(String));
          expect((await ctx.provider.retrieve(intent.id)).status).toBe('requires_payment_method');
        },
      );

      it('refuses an unknown payment method as resource_missing', async () => {
        await expectRequestError(authorize('pm_card_doesNotExist'), 'resource_missing');
      });

      it('refuses to retrieve an unknown PaymentIntent as resource_missing', async () => {
        await expectRequestError(ctx.provider.retrieve('pi_doesNotExist000000000000'), 'resource_missing');
      });
    });

    describe('3-D Secure', () => {
      it.each(['pm_card_authenticationRequired', 'pm_card_threeDSecure2Required'])(
        'asks for authentication with %s and holds nothing yet',
        async (paymentMethod) => {
          const intent = await authorize(paymentMethod);
          expect(intent.status).toBe('requires_action');
          expect(intent.amountCapturable).toBe(0);
          expect(intent.nextAction).not.toBeNull();
          expect(['redirect_to_url', 'use_stripe_sdk']).toContain(intent.nextAction!.type);
          if (intent.nextAction!.type === 'redirect_to_url') expect(intent.nextAction!.url).toMatch(/^https?:\/\//);
          expect(intent.clientSecret).toEqual(expect.stringContaining('_secret_'));
        },
      );

      it('authorizes once the customer authenticates', async ({ skip }) => {
        if (!ctx.authenticate) skip();
        const intent = await authorize('pm_card_authenticationRequired');
        await ctx.authenticate!(intent.id, 'succeed');
        const after = await ctx.provider.retrieve(intent.id);
        expect(after).toMatchObject({ status: 'requires_capture', amountCapturable: AMOUNT, nextAction: null });
        const capturedIntent = await ctx.provider.capture({
          paymentId: intent.id,
          amountCents: AMOUNT,
          idempotencyKey: key('capture'),
        });
        expect(capturedIntent.status).toBe('succeeded');
      });

      it('needs a new payment method when authentication fails', async ({ skip }) => {
        if (!ctx.authenticate) skip();
        const intent = await authorize('pm_card_authenticationRequired');
        await ctx.authenticate!(intent.id, 'fail');
        const after = await ctx.provider.retrieve(intent.id);
        expect(after).toMatchObject({ status: 'requires_payment_method', amountCapturable: 0, nextAction: null });
        expect(after.lastError?.code).toBe('payment_intent_authentication_failure');
      });

      it('can be abandoned while waiting for the customer', async () => {
        const intent = await authorize('pm_card_authenticationRequired');
        const canceled = await ctx.provider.cancel({ paymentId: intent.id, idempotencyKey: key('cancel') });
        expect(canceled.status).toBe('canceled');
      });
    });

    describe('idempotency', () => {
      it('answers a retried authorize with the same PaymentIntent', async () => {
        const request = input('pm_card_visa');
        const first = await ctx.provider.authorize(request);
        const retried = await ctx.provider.authorize({ ...request });
        expect(retried.id).toBe(first.id);
        expect(retried.status).toBe('requires_capture');
        expect((await ctx.provider.retrieve(first.id)).amountCapturable).toBe(AMOUNT);
      });

      it('answers a retried decline with the same declined PaymentIntent', async () => {
        const request = input('pm_card_chargeDeclined');
        const first = await ctx.provider.authorize(request);
        const retried = await ctx.provider.authorize({ ...request });
        expect(retried).toMatchObject({ id: first.id, status: 'requires_payment_method' });
      });

      it('refuses a key reused for a different request', async () => {
        const request = input('pm_card_visa');
        await ctx.provider.authorize(request);
        await expectRequestError(
          ctx.provider.authorize({ ...request, amountCents: AMOUNT + 100 }),
          'idempotency_key_reused',
        );
      });

      it('finds a PaymentIntent again by the workflow and attempt in its metadata, even under a new key', async () => {
        const request = input('pm_card_visa');
        const first = await ctx.provider.authorize(request);
        const found = await ctx.provider.findIntent(request.metadata);
        expect(found).toMatchObject({ id: first.id, status: 'requires_capture', amountCapturable: AMOUNT });
        expect(await ctx.provider.findIntent({ ...request.metadata, attempt: '2' })).toBeNull();
        expect(await ctx.provider.findIntent({ workflowId: `order/${randomUUID()}`, attempt: '1' })).toBeNull();
        // A declined one is found too, with its decline: the retry answers what the first try got.
        const declined = input('pm_card_chargeDeclined');
        const refused = await ctx.provider.authorize(declined);
        expect(await ctx.provider.findIntent(declined.metadata)).toMatchObject({
          id: refused.id,
          status: 'requires_payment_method',
          lastError: { code: 'card_declined' },
        });
      });

      it('answers a retried capture with the same result instead of refusing the second capture', async () => {
        const intent = await authorized();
        const request = { paymentId: intent.id, amountCents: AMOUNT, idempotencyKey: key('capture') };
        const first = await ctx.provider.capture(request);
        const retried = await ctx.provider.capture({ ...request });
        expect(retried).toMatchObject({ id: first.id, status: 'succeeded', amountReceived: AMOUNT });
      });

      it('answers a retried cancel with the same canceled PaymentIntent', async () => {
        const intent = await authorized();
        const request = { paymentId: intent.id, idempotencyKey: key('cancel') };
        await ctx.provider.cancel(request);
        expect((await ctx.provider.cancel({ ...request })).status).toBe('canceled');
      });
    });

    describe('capture', () => {
      it('captures the whole hold', async () => {
        const intent = await captured();
        expect(intent).toMatchObject({
          status: 'succeeded',
          amountReceived: AMOUNT,
          amountCapturable: 0,
          amountRefunded: 0,
        });
      });

      it('captures part of the hold and releases the rest', async () => {
        const intent = await captured(1500);
        expect(intent).toMatchObject({
          status: 'succeeded',
          amount: AMOUNT,
          amountReceived: 1500,
          amountCapturable: 0,
        });
        // The released rest cannot be captured later.
        await expectRequestError(
          ctx.provider.capture({ paymentId: intent.id, amountCents: 499, idempotencyKey: key('capture') }),
          'payment_intent_unexpected_state',
        );
      });

      it('refuses to capture more than is held and keeps the hold', async () => {
        const intent = await authorized();
        await expectRequestError(
          ctx.provider.capture({ paymentId: intent.id, amountCents: AMOUNT + 1, idempotencyKey: key('capture') }),
          'amount_too_large',
        );
        expect(await ctx.provider.retrieve(intent.id)).toMatchObject({
          status: 'requires_capture',
          amountCapturable: AMOUNT,
        });
      });

      it('refuses to capture a declined PaymentIntent', async () => {
        const intent = await authorize('pm_card_chargeDeclined');
        await expectRequestError(
          ctx.provider.capture({ paymentId: intent.id, amountCents: AMOUNT, idempotencyKey: key('capture') }),
          'payment_intent_unexpected_state',
        );
      });
    });

    describe('cancel', () => {
      it('voids an authorization before capture', async () => {
        const intent = await authorized();
        const canceled = await ctx.provider.cancel({ paymentId: intent.id, idempotencyKey: key('cancel') });
        expect(canceled).toMatchObject({ id: intent.id, status: 'canceled', amountCapturable: 0, amountReceived: 0 });
      });

      it('cannot capture a canceled PaymentIntent', async () => {
        const intent = await authorized();
        await ctx.provider.cancel({ paymentId: intent.id, idempotencyKey: key('cancel') });
        await expectRequestError(
          ctx.provider.capture({ paymentId: intent.id, amountCents: AMOUNT, idempotencyKey: key('capture') }),
          'payment_intent_unexpected_state',
        );
      });

      it('refuses a second cancel under a new key', async () => {
        const intent = await authorized();
        await ctx.provider.cancel({ paymentId: intent.id, idempotencyKey: key('cancel') });
        await expectRequestError(
          ctx.provider.cancel({ paymentId: intent.id, idempotencyKey: key('cancel') }),
          'payment_intent_unexpected_state',
        );
      });

      it('cannot cancel a captured PaymentIntent', async () => {
        const intent = await captured();
        await expectRequestError(
          ctx.provider.cancel({ paymentId: intent.id, idempotencyKey: key('cancel') }),
          'payment_intent_unexpected_state',
        );
      });

      it('abandons a declined PaymentIntent', async () => {
        const intent = await authorize('pm_card_chargeDeclinedInsufficientFunds');
        const canceled = await ctx.provider.cancel({ paymentId: intent.id, idempotencyKey: key('cancel') });
        expect(canceled.status).toBe('canceled');
      });
    });

    describe('refund', () => {
      it('refunds part, then the rest, and refuses more than remains', async () => {
        const intent = await captured();
        const first = await ctx.provider.refund({
          paymentId: intent.id,
          amountCents: 500,
          idempotencyKey: key('refund'),
        });
        expect(first.id).toMatch(/^re_/);
        expect(first).toMatchObject({ paymentId: intent.id, amount: 500, status: 'succeeded', failureReason: null });
        expect((await ctx.provider.retrieve(intent.id)).amountRefunded).toBe(500);

        await expectRequestError(
          ctx.provider.refund({ paymentId: intent.id, amountCents: AMOUNT - 499, idempotencyKey: key('refund') }),
          'amount_too_large',
        );
        expect((await ctx.provider.retrieve(intent.id)).amountRefunded).toBe(500);

        const rest = await ctx.provider.refund({
          paymentId: intent.id,
          amountCents: AMOUNT - 500,
          idempotencyKey: key('refund'),
        });
        expect(rest).toMatchObject({ amount: AMOUNT - 500, status: 'succeeded' });
        expect(rest.id).not.toBe(first.id);
        expect(await ctx.provider.retrieve(intent.id)).toMatchObject({
          status: 'succeeded',
          amountReceived: AMOUNT,
          amountRefunded: AMOUNT,
        });
        // Nothing is left to refund.
        await expectRequestError(
          ctx.provider.refund({ paymentId: intent.id, amountCents: 1, idempotencyKey: key('refund') }),
        );
      });

      it('refunds at most what was captured, not what was authorized', async () => {
        const intent = await captured(1000);
        await expectRequestError(
          ctx.provider.refund({ paymentId: intent.id, amountCents: 1001, idempotencyKey: key('refund') }),
          'amount_too_large',
        );
      });

      it('answers a retried refund with the same refund, refunding once', async () => {
        const intent = await captured();
        const request = { paymentId: intent.id, amountCents: 700, idempotencyKey: key('refund') };
        const first = await ctx.provider.refund(request);
        const retried = await ctx.provider.refund({ ...request });
        expect(retried.id).toBe(first.id);
        expect((await ctx.provider.retrieve(intent.id)).amountRefunded).toBe(700);
        await expectRequestError(ctx.provider.refund({ ...request, amountCents: 701 }), 'idempotency_key_reused');
      });

      it('finds a refund by its id', async () => {
        const intent = await captured();
        const refund = await ctx.provider.refund({
          paymentId: intent.id,
          amountCents: 250,
          idempotencyKey: key('refund'),
        });
        expect(await ctx.provider.retrieveRefund(refund.id)).toEqual(refund);
      });

      it('refuses to refund an authorization that was never captured', async () => {
        const intent = await authorized();
        await expectRequestError(
          ctx.provider.refund({ paymentId: intent.id, amountCents: 100, idempotencyKey: key('refund') }),
        );
      });

      it('refuses to retrieve an unknown refund as resource_missing', async () => {
        await expectRequestError(ctx.provider.retrieveRefund('re_doesNotExist000000000000'), 'resource_missing');
      });
    });

    it('retrieve reflects every step of the lifecycle', async () => {
      const request = input('pm_card_mastercard');
      const created = await ctx.provider.authorize(request);
      const view = () => ctx.provider.retrieve(created.id);

      expect(await view()).toMatchObject({
        id: created.id,
        status: 'requires_capture',
        amount: AMOUNT,
        amountCapturable: AMOUNT,
        amountReceived: 0,
        amountRefunded: 0,
        metadata: request.metadata,
      });

      await ctx.provider.capture({ paymentId: created.id, amountCents: 1800, idempotencyKey: key('capture') });
      expect(await view()).toMatchObject({
        status: 'succeeded',
        amountCapturable: 0,
        amountReceived: 1800,
        amountRefunded: 0,
      });

      await ctx.provider.refund({ paymentId: created.id, amountCents: 300, idempotencyKey: key('refund') });
      expect(await view()).toMatchObject({ status: 'succeeded', amountReceived: 1800, amountRefunded: 300 });

      await ctx.provider.refund({ paymentId: created.id, amountCents: 1500, idempotencyKey: key('refund') });
      expect(await view()).toMatchObject({
        status: 'succeeded',
        amountReceived: 1800,
        amountRefunded: 1800,
        metadata: request.metadata,
      });
    });
  });
}
