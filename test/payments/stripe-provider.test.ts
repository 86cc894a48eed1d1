/**
 * StripePaymentProvider through the real Stripe SDK, two ways:
 * (a) against the scripted double (test/helpers/stripe-double.ts), which plays Stripe's test mode
 *     statefully: the shared provider contract plus what only Stripe's provider does;
 * (b) against stripe-mock, which checks every request against Stripe's OpenAPI spec but answers
 *     canned objects: each method must send a request Stripe accepts and map what comes back.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  PaymentRequestError,
  ProviderRejectedError,
  type AuthorizeInput,
  type PaymentIntentView,
  type RefundView,
} from '../../src/payments/provider.js';
import { StripePaymentProvider } from '../../src/payments/stripe-provider.js';
import { ApplicationFailure } from '@temporalio/common';
import { classifyActivityError } from '../../src/activities/failures.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startStripeDouble, type StripeDouble } from '../helpers/stripe-double.js';
import { describeProviderContract, expectRequestError } from './provider-contract.js';

const SECRET_KEY = 'sk_test_StripeProviderTest';

function input(paymentMethod = 'pm_card_visa', overrides: Partial<AuthorizeInput> = {}): AuthorizeInput {
  const orderId = `order-${randomUUID()}`;
  return {
    amountCents: 1999,
    currency: 'USD',
    paymentMethod,
    idempotencyKey: `stripe-${randomUUID()}`,
    metadata: { orderId, workflowId: `order/${orderId}`, attempt: '1' },
    description: `Order ${orderId}`,
    receiptEmail: 'shopper@example.com',
    ...overrides,
  };
}

const newKey = () => `stripe-${randomUUID()}`;

/** A raw request to the double, as the SDK would send it (for asserting the wire format itself). */
async function rawRequest(double: StripeDouble, method: string, path: string, form?: Record<string, string>) {
  const response = await fetch(`${double.apiBase}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${SECRET_KEY}`,
      'content-type': 'application/x-www-form-urlencoded',
      'idempotency-key': newKey(),
    },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  return { status: response.status, body: (await response.json()) as any };
}

describe('StripePaymentProvider against the scripted double', () => {
  // One database and one double for the file: every test uses its own keys and PaymentIntents.
  let db: TestDatabase;
  let double: StripeDouble;
  let provider: StripePaymentProvider;

  beforeAll(async () => {
    db = await createTestDatabase();
    double = await startStripeDouble({ prisma: db.prisma });
    provider = new StripePaymentProvider({ secretKey: SECRET_KEY, apiBase: double.apiBase });
  });
  afterAll(async () => {
    await double?.close();
    await db?.drop();
  });

  describeProviderContract('stripe (real SDK → scripted double)', async () => ({
    provider,
    authenticate: (id, outcome) => double.authenticate(id, outcome),
    teardown: async () => {},
  }));

  it('answers a decline as requires_payment_method with lastError, not as an exception', async () => {
    const intent = await provider.authorize(input('pm_card_chargeDeclinedInsufficientFunds'));
    expect(intent).toMatchObject({
      status: 'requires_payment_method',
      amountCapturable: 0,
      captureBefore: null,
      nextAction: null,
      lastError: {
        code: 'card_declined',
        declineCode: 'insufficient_funds',
        message: 'Your card has insufficient funds.',
      },
    });
    expect(intent.id).toMatch(/^pi_/);
  });

  it('holds with a lowercase currency and reports when the hold lapses, from the charge', async () => {
    const intent = await provider.authorize(input());
    expect(intent.currency).toBe('usd');
    expect(intent.clientSecret).toContain('_secret_');
    // The wire carries unix seconds: the view's time is the lapse time to the second.
    expect(Date.parse(intent.captureBefore!) % 1000).toBe(0);
    expect(Date.parse(intent.captureBefore!)).toBeGreaterThan(Date.now() + 6 * 24 * 3_600_000);
  });

  it('asks Stripe.js to handle 3-D Secure (use_stripe_sdk) with the client secret', async () => {
    const intent = await provider.authorize(input('pm_card_threeDSecure2Required'));
    expect(intent).toMatchObject({ status: 'requires_action', nextAction: { type: 'use_stripe_sdk', url: null } });
  });

  describe('reauthorize', () => {
    it('makes a new hold off-session with the card of a visa PaymentIntent', async () => {
      const first = await provider.authorize(input());
      const request = {
        paymentId: first.id,
        amountCents: 2500,
        idempotencyKey: newKey(),
        metadata: { ...first.metadata, attempt: '2' } as AuthorizeInput['metadata'],
      };
      const second = await provider.reauthorize(request);
      expect(second.id).not.toBe(first.id);
      expect(second).toMatchObject({
        status: 'requires_capture',
        amount: 2500,
        amountCapturable: 2500,
        currency: 'usd',
        metadata: request.metadata,
        lastError: null,
      });
      // Retried under its key: the same PaymentIntent, not a second hold.
      expect((await provider.reauthorize({ ...request })).id).toBe(second.id);
      expect(await provider.retrieve(first.id)).toMatchObject({ status: 'requires_capture', amountCapturable: 1999 });
    });

    it('is declined with authentication_required for a card that needs the customer', async () => {
      const first = await provider.authorize(input('pm_card_authenticationRequired'));
      await double.authenticate(first.id, 'succeed');
      const second = await provider.reauthorize({
        paymentId: first.id,
        amountCents: 1999,
        idempotencyKey: newKey(),
        metadata: { ...first.metadata, attempt: '2' } as AuthorizeInput['metadata'],
      });
      expect(second.id).not.toBe(first.id);
      expect(second).toMatchObject({ status: 'requires_payment_method', amountCapturable: 0 });
      expect(second.lastError?.code).toBe('authentication_required');
    });

    it('refuses an unknown PaymentIntent as resource_missing', async () => {
      await expectRequestError(
        provider.reauthorize({
          paymentId: 'pi_doesNotExist000000000000',
          amountCents: 1999,
          idempotencyKey: newKey(),
          metadata: input().metadata,
        }),
        'resource_missing',
      );
    });
  });

  it('a key Stripe refuses (401) is a ProviderRejectedError, and its activity fails for good as provider_rejected', async () => {
    const revoked = new StripePaymentProvider({ secretKey: 'rk_revoked', apiBase: double.apiBase });
    const refused = await revoked.retrieve('pi_anything').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ProviderRejectedError);
    expect(refused).toMatchObject({ status: 401 });
    const failure = classifyActivityError(refused);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'provider_rejected', nonRetryable: true, details: [{ status: 401 }] });
  });

  it('follows a pm_card_refundFail refund from pending to failed', async () => {
    const intent = await provider.authorize(input('pm_card_refundFail'));
    await provider.capture({ paymentId: intent.id, amountCents: 1999, idempotencyKey: newKey() });
    const refund = await provider.refund({ paymentId: intent.id, amountCents: 1999, idempotencyKey: newKey() });
    expect(refund).toMatchObject({ paymentId: intent.id, amount: 1999, status: 'pending', failureReason: null });

    const failed = await provider.retrieveRefund(refund.id);
    expect(failed).toEqual({ ...refund, status: 'failed', failureReason: 'expired_or_canceled_card' });
    // The money never went back: the charge is refundable again.
    expect((await provider.retrieve(intent.id)).amountRefunded).toBe(0);
    expect(await provider.retrieveRefund(refund.id)).toEqual(failed);
  });

  describe('the wire format of the double', () => {
    it('answers a declined confirmation with 402 card_error carrying the PaymentIntent', async () => {
      const { status, body } = await rawRequest(double, 'POST', '/v1/payment_intents', {
        amount: '1000',
        currency: 'usd',
        payment_method: 'pm_card_chargeDeclined',
        capture_method: 'manual',
        confirm: 'true',
        'metadata[orderId]': 'order-raw',
        'metadata[workflowId]': 'order/order-raw',
        'metadata[attempt]': '1',
      });
      expect(status).toBe(402);
      expect(body.error).toMatchObject({
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'generic_decline',
        payment_intent: {
          object: 'payment_intent',
          status: 'requires_payment_method',
          metadata: { orderId: 'order-raw' },
          last_payment_error: { code: 'card_declined' },
        },
      });
    });

    it('refuses parameters and URLs the provider does not use', async () => {
      const unknownParam = await rawRequest(double, 'POST', '/v1/customers', { name: 'Jenny' });
      expect(unknownParam).toMatchObject({
        status: 400,
        body: { error: { code: 'parameter_unknown', param: 'name' } },
      });
      const unknownUrl = await rawRequest(double, 'GET', '/v1/charges');
      expect(unknownUrl).toMatchObject({ status: 404, body: { error: { type: 'invalid_request_error' } } });
      const noKey = await fetch(`${double.apiBase}/v1/refunds/re_x`);
      expect(noKey.status).toBe(401);
    });
  });

  describe('webhooks', () => {
    const secret = `whsec_${randomUUID().replaceAll('-', '')}`;
    const received: { event?: Stripe.Event; error?: string }[] = [];
    let receiver: Server;
    let hooked: StripeDouble;
    let hookedProvider: StripePaymentProvider;

    beforeAll(async () => {
      const verifier = new Stripe(SECRET_KEY);
      receiver = createServer((request: IncomingMessage, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          try {
            const event = verifier.webhooks.constructEvent(
              Buffer.concat(chunks),
              String(request.headers['stripe-signature']),
              secret,
            );
            received.push({ event });
            response.writeHead(200).end('{}');
          } catch (err) {
            received.push({ error: (err as Error).message });
            response.writeHead(400).end();
          }
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/stripe`;
      hooked = await startStripeDouble({ prisma: db.prisma, webhook: { url, secret } });
      hookedProvider = new StripePaymentProvider({ secretKey: SECRET_KEY, apiBase: hooked.apiBase });
    });
    afterAll(async () => {
      await hooked?.close();
      await new Promise((resolve) => receiver?.close(resolve));
    });

    it('sends the signed event Stripe would when the customer authenticates', async () => {
      const ok = await hookedProvider.authorize(input('pm_card_authenticationRequired'));
      await hooked.authenticate(ok.id, 'succeed');
      const failed = await hookedProvider.authorize(input('pm_card_authenticationRequired'));
      await hooked.authenticate(failed.id, 'fail');

      const [first, second] = received.splice(0);
      expect(first?.event).toMatchObject({
        object: 'event',
        type: 'payment_intent.amount_capturable_updated',
        livemode: false,
        data: { object: { id: ok.id, object: 'payment_intent', status: 'requires_capture', amount_capturable: 1999 } },
      });
      expect(first?.event?.id).toMatch(/^evt_/);
      expect(second?.event).toMatchObject({
        type: 'payment_intent.payment_failed',
        data: {
          object: {
            id: failed.id,
            status: 'requires_payment_method',
            last_payment_error: { code: 'payment_intent_authentication_failure' },
            metadata: { orderId: failed.metadata.orderId },
          },
        },
      });
    });

    it('sends any event, with a chosen id and time, and signatures that are bad or stale on request', async () => {
      const createdAt = new Date('2026-11-20T10:00:00.000Z');
      const good = await hooked.sendEvent(
        'refund.failed',
        { id: 're_123', object: 'refund' },
        { id: 'evt_fixed', createdAt },
      );
      expect(good.status).toBe(200);
      expect(received.splice(0)[0]?.event).toMatchObject({
        id: 'evt_fixed',
        type: 'refund.failed',
        created: Math.floor(createdAt.getTime() / 1000),
        api_version: Stripe.API_VERSION,
        data: { object: { id: 're_123' } },
      });

      expect((await hooked.sendEvent('refund.failed', {}, { signature: 'bad' })).status).toBe(400);
      expect((await hooked.sendEvent('refund.failed', {}, { signature: 'stale' })).status).toBe(400);
      const [bad, stale] = received.splice(0);
      expect(bad?.error).toMatch(/signature/i);
      expect(stale?.error).toMatch(/tolerance/i);
    });
  });
});

const STATUSES = [
  'requires_payment_method',
  'requires_action',
  'requires_capture',
  'processing',
  'succeeded',
  'canceled',
];

/** Every field of a view has its type, whatever canned values stripe-mock chose. */
function expectIntentShape(view: PaymentIntentView): void {
  expect(view).toEqual({
    id: expect.stringMatching(/^pi_/),
    status: expect.toBeOneOf(STATUSES),
    amount: expect.any(Number),
    currency: expect.stringMatching(/^[a-z]{3}$/),
    amountCapturable: expect.any(Number),
    amountReceived: expect.any(Number),
    amountRefunded: expect.any(Number),
    clientSecret: expect.toBeOneOf([null, expect.any(String)]),
    nextAction: expect.toBeOneOf([
      null,
      {
        type: expect.toBeOneOf(['redirect_to_url', 'use_stripe_sdk']),
        url: expect.toBeOneOf([null, expect.any(String)]),
      },
    ]),
    lastError: expect.toBeOneOf([
      null,
      {
        code: expect.any(String),
        declineCode: expect.toBeOneOf([null, expect.any(String)]),
        message: expect.any(String),
      },
    ]),
    captureBefore: expect.toBeOneOf([null, expect.any(String)]),
    metadata: expect.any(Object),
  });
}

function expectRefundShape(view: RefundView): void {
  expect(view).toEqual({
    id: expect.stringMatching(/^re_/),
    paymentId: expect.any(String),
    amount: expect.any(Number),
    status: expect.toBeOneOf(['pending', 'succeeded', 'failed', 'canceled']),
    failureReason: expect.toBeOneOf([null, expect.any(String)]),
  });
}

/**
 * stripe-mock in front of which GET /v1/payment_intents/:id answers with a customer and a saved card:
 * its canned PaymentIntent has neither, so reauthorize would stop before sending its create request.
 */
async function stripeMockWithSavedCard(stripeMockUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const headers = Object.fromEntries(
        Object.entries(request.headers).filter(([name]) => !['host', 'connection', 'content-length'].includes(name)),
      ) as Record<string, string>;
      const upstream = await fetch(`${stripeMockUrl}${request.url}`, {
        method: request.method,
        headers,
        body: request.method === 'GET' ? undefined : Buffer.concat(chunks),
      });
      let body = await upstream.text();
      if (request.method === 'GET' && /^\/v1\/payment_intents\/[^/?]+(\?|$)/.test(request.url ?? '') && upstream.ok) {
        body = JSON.stringify({ ...JSON.parse(body), customer: 'cus_saved', payment_method: 'pm_saved' });
      }
      response.writeHead(upstream.status, { 'content-type': 'application/json' }).end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('StripePaymentProvider request shapes (stripe-mock validates them against the OpenAPI spec)', () => {
  let provider: StripePaymentProvider;
  beforeAll(() => {
    provider = new StripePaymentProvider({ secretKey: SECRET_KEY, apiBase: inject('stripeMockUrl') });
  });

  it('authorize: creates the Customer and the confirmed manual-capture PaymentIntent', async () => {
    const view = await provider.authorize(input());
    expectIntentShape(view);
    // stripe-mock echoes the parameters it was given into its canned object.
    expect(view).toMatchObject({ amount: 1999, currency: 'usd' });
  });

  it('authorize off-session, and without the optional receipt email and description', async () => {
    const request = input('pm_card_visa', { offSession: true });
    delete request.receiptEmail;
    delete request.description;
    expectIntentShape(await provider.authorize(request));
  });

  it('retrieve, capture and cancel', async () => {
    expectIntentShape(await provider.retrieve('pi_123'));
    expectIntentShape(await provider.capture({ paymentId: 'pi_123', amountCents: 1500, idempotencyKey: newKey() }));
    expectIntentShape(await provider.cancel({ paymentId: 'pi_123', idempotencyKey: newKey() }));
  });

  it('findIntent: searches PaymentIntents by metadata, then reads the one found', async () => {
    // stripe-mock answers a search with one canned PaymentIntent whatever the query: its shape is the point.
    const found = await provider.findIntent({ workflowId: "order-it's", attempt: '1' });
    expect(found).not.toBeNull();
    expectIntentShape(found!);
  });

  it('findIntent: a search Stripe refuses (no search API for the account) finds nothing; an outage is thrown', async () => {
    let status = 400;
    const server = createServer((_request, response) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      const type = status === 400 ? 'invalid_request_error' : 'api_error';
      response.end(JSON.stringify({ error: { type, message: 'Search is not available for this account.' } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const refusing = new StripePaymentProvider({ secretKey: SECRET_KEY, apiBase: `http://127.0.0.1:${port}` });
      expect(await refusing.findIntent({ workflowId: 'order-1', attempt: '1' })).toBeNull();
      status = 500;
      const outage = await refusing.findIntent({ workflowId: 'order-1', attempt: '1' }).catch((err: unknown) => err);
      expect(outage).toBeInstanceOf(Error);
      expect(outage).not.toBeInstanceOf(PaymentRequestError);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refund and retrieveRefund', async () => {
    expectRefundShape(await provider.refund({ paymentId: 'pi_123', amountCents: 500, idempotencyKey: newKey() }));
    expectRefundShape(await provider.retrieveRefund('re_123'));
  });

  it('reauthorize: creates the off-session PaymentIntent with the saved customer and card', async () => {
    const proxy = await stripeMockWithSavedCard(inject('stripeMockUrl'));
    try {
      const viaProxy = new StripePaymentProvider({ secretKey: SECRET_KEY, apiBase: proxy.url });
      const view = await viaProxy.reauthorize({
        paymentId: 'pi_123',
        amountCents: 2500,
        idempotencyKey: newKey(),
        metadata: input().metadata,
      });
      expectIntentShape(view);
      expect(view.amount).toBe(2500);
    } finally {
      await proxy.close();
    }
  });

  it('reauthorize refuses a PaymentIntent with no saved card (stripe-mock’s canned one) before creating anything', async () => {
    await expectRequestError(
      provider.reauthorize({
        paymentId: 'pi_123',
        amountCents: 2500,
        idempotencyKey: newKey(),
        metadata: input().metadata,
      }),
      'payment_intent_unexpected_state',
    );
  });

  it('surfaces a request Stripe refuses as PaymentRequestError', async () => {
    // stripe-mock checks types, not ranges: it accepts a negative amount, but not a fractional one.
    const refused = await expectRequestError(provider.authorize(input('pm_card_visa', { amountCents: 10.5 })));
    expect(refused).toBeInstanceOf(PaymentRequestError);
    expect(refused.message).toMatch(/amount/);
    await expectRequestError(provider.capture({ paymentId: 'pi_123', amountCents: 0.5, idempotencyKey: newKey() }));
  });
});
