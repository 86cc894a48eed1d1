/**
 * A scripted, stateful stand-in for Stripe's REST API, for tests that drive StripePaymentProvider
 * (the real SDK) through flows stripe-mock cannot play: declines, 3-D Secure, refunds that fail,
 * idempotent replays. It is an HTTP facade over SimulatedPaymentProvider on the test's database,
 * speaking Stripe's wire format: form-encoded bodies with bracket nesting in, Stripe objects and
 * Stripe's error envelope out (402 card_error carrying the declined PaymentIntent, 400
 * invalid_request_error, 404 for an unknown id, idempotency_error for a reused key).
 *
 * Kept honest: it serves only the endpoints and parameters StripePaymentProvider uses, answering
 * 404 for any other URL and 400 parameter_unknown for any other parameter, as Stripe does, so the
 * provider cannot come to depend on something real Stripe would refuse. Customers, and what a
 * PaymentIntent's row does not hold (its customer, description, receipt email), live in memory.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import type { PrismaClient } from '../../src/db/prisma.js';
import {
  PaymentRequestError,
  type AuthorizeInput,
  type PaymentIntentView,
  type RefundView,
} from '../../src/payments/provider.js';
import { SimulatedPaymentProvider } from '../../src/payments/simulated-provider.js';

/** The running double: its API base for StripePaymentProvider, and the hands of the customer and of Stripe. */
export interface StripeDouble {
  /** e.g. http://127.0.0.1:40123, for StripePaymentProvider's apiBase. */
  apiBase: string;
  /**
   * The customer completes (or fails) 3-D Secure; with a webhook target, the event Stripe would send
   * follows (payment_intent.amount_capturable_updated or payment_intent.payment_failed), and a
   * non-2xx answer to it fails this call.
   */
  authenticate(paymentId: string, outcome: 'succeed' | 'fail'): Promise<void>;
  /**
   * Posts an event to the webhook target, signed as Stripe signs it: 'bad' with a wrong secret,
   * 'stale' with a timestamp 10 minutes old. The current PaymentIntent in Stripe's shape, for
   * `object`, is a GET on `${apiBase}/v1/payment_intents/<id>`.
   */
  sendEvent(
    type: string,
    object: unknown,
    opts?: { id?: string; createdAt?: Date; signature?: 'valid' | 'bad' | 'stale' | 'future'; drop?: 'data' },
  ): Promise<Response>;
  /** Every API request served, in order (method, path, idempotency key), for asserting what was sent. */
  requests: { method: string; path: string; idempotencyKey: string | undefined }[];
  /**
   * The next `times` requests matching `method` and `path` are carried out, but their answers are
   * lost: the connection is dropped instead. Resolves once they all were.
   */
  loseAnswers(method: string, path: RegExp, times: number): Promise<void>;
  /**
   * Stripe forgets idempotency keys after 24 hours: from now on every key used so far is new again,
   * and a request under it is carried out afresh instead of answered from the first one.
   */
  forgetIdempotencyKeys(): void;
  /** While on, Stripe is down: every API request is answered 500 api_error, and nothing is done. */
  setOutage(on: boolean): void;
  /** Where events go from now on: for an app that listens only after the double has started. */
  setWebhook(target: { url: string; secret: string }): void;
  close(): Promise<void>;
}

type Params = Record<string, unknown>;

/** What Stripe keeps on a PaymentIntent that the simulated provider's row does not. */
interface IntentExtras {
  customer: string | null;
  description: string | null;
  receiptEmail: string | null;
  setupFutureUsage: string | null;
}

interface CustomerRecord {
  id: string;
  email: string | null;
  metadata: Record<string, string>;
  created: number;
}

/** A refusal in Stripe's envelope, thrown inside a handler and written by the dispatcher. */
class StripeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message ?? body.type));
  }
}

const invalid = (message: string, code?: string, param?: string, status = 400) =>
  new StripeHttpError(status, { type: 'invalid_request_error', message, code, param });

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const randomId = (prefix: string) =>
  `${prefix}_${Array.from(randomBytes(24), (b) => BASE62[b % BASE62.length]).join('')}`;
const unix = (date: Date) => Math.floor(date.getTime() / 1000);

// Assigning these through bracket keys would reach Object.prototype.
const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * Parses Stripe's form encoding, as the SDK writes it: `metadata[orderId]=x`, `expand[0]=a`,
 * `expand[]=b`. Values stay strings; each handler converts and checks the ones it takes.
 */
export function parseStripeForm(text: string): Params {
  const out: Params = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const head = /^[^[\]]+/.exec(key)?.[0];
    const rest = key.slice(head?.length ?? 0);
    const parts = [...rest.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]!);
    if (!head || parts.join('').length + parts.length * 2 !== rest.length) {
      throw invalid(`Invalid parameter name: ${key}`, 'parameter_invalid');
    }
    const path = [head, ...parts];
    if (path.some((p) => FORBIDDEN_KEYS.has(p))) throw invalid(`Invalid parameter name: ${key}`, 'parameter_invalid');
    let container: Record<string, unknown> | unknown[] = out;
    for (let i = 0; i < path.length; i++) {
      const part = path[i]!;
      const last = i === path.length - 1;
      if (Array.isArray(container)) {
        const index = part === '' ? container.length : Number(part);
        if (!Number.isInteger(index)) throw invalid(`Invalid array index in ${key}`, 'parameter_invalid');
        if (last) container[index] = value;
        else container = (container[index] ??= /^\d*$/.test(path[i + 1]!) ? [] : {}) as Params | unknown[];
      } else if (last) {
        container[part] = value;
      } else {
        container = (container[part] ??= /^\d*$/.test(path[i + 1]!) ? [] : {}) as Params | unknown[];
      }
    }
  }
  return out;
}

function onlyKnown(params: Params, allowed: readonly string[]): void {
  for (const name of Object.keys(params)) {
    if (!allowed.includes(name)) throw invalid(`Received unknown parameter: ${name}`, 'parameter_unknown', name);
  }
}

function text(params: Params, name: string, required: true): string;
function text(params: Params, name: string, required?: false): string | undefined;
function text(params: Params, name: string, required = false): string | undefined {
  const value = params[name];
  if (value === undefined) {
    if (required) throw invalid(`Missing required param: ${name}.`, 'parameter_missing', name);
    return undefined;
  }
  if (typeof value !== 'string') throw invalid(`Invalid string: ${name}`, 'parameter_invalid', name);
  return value;
}

/** Stripe refuses a fractional or non-numeric amount as parameter_invalid_integer before anything else. */
function integer(params: Params, name: string): number {
  const value = text(params, name, true);
  if (!/^-?\d+$/.test(value)) throw invalid(`Invalid integer: ${value}`, 'parameter_invalid_integer', name);
  return Number(value);
}

function flag(params: Params, name: string): boolean {
  const value = text(params, name);
  if (value === undefined) return false;
  if (value !== 'true' && value !== 'false') throw invalid(`Invalid boolean: ${value}`, 'parameter_invalid', name);
  return value === 'true';
}

function stringMap(params: Params, name: string): Record<string, string> {
  const value = params[name];
  if (value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value) || value === null) {
    throw invalid(`Invalid object: ${name}`, 'parameter_invalid', name);
  }
  for (const v of Object.values(value)) {
    if (typeof v !== 'string') throw invalid(`Invalid ${name}: values must be strings`, 'parameter_invalid', name);
  }
  return value as Record<string, string>;
}

/** Whether `latest_charge` is expanded; nothing else is expandable here. */
function expandsCharge(params: Params): boolean {
  const expand = params.expand;
  if (expand === undefined) return false;
  if (!Array.isArray(expand)) throw invalid('Invalid array: expand', 'parameter_invalid', 'expand');
  for (const path of expand) {
    if (path !== 'latest_charge')
      throw invalid(`This property cannot be expanded (${String(path)}).`, undefined, 'expand');
  }
  return expand.length > 0;
}

/** Starts the double on a free loopback port. */
export async function startStripeDouble(options: {
  prisma: PrismaClient;
  webhook?: { url: string; secret: string };
}): Promise<StripeDouble> {
  const { prisma } = options;
  let webhook = options.webhook;
  const extras = new Map<string, IntentExtras>();
  const customers = new Map<string, CustomerRecord>();
  // Customers are not in the simulated provider's tables: their idempotent answers live here.
  const customerKeys = new Map<string, { request: string; customer: CustomerRecord }>();
  const requests: StripeDouble['requests'] = [];
  const losses: { method: string; path: RegExp; left: number; done: () => void }[] = [];
  let outage = false;
  // Bumped by forgetIdempotencyKeys: the keys the double stores are the client's, in this epoch.
  let keyEpoch = 0;
  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Its public URL needs the port, known only once listening (and to nobody else before we return).
  const simulated = new SimulatedPaymentProvider(prisma, { publicBaseUrl: apiBase });

  function chargeObject(view: PaymentIntentView) {
    const declined = view.status === 'requires_payment_method' && view.lastError !== null;
    return {
      id: `ch_${view.id.slice('pi_'.length)}`,
      object: 'charge',
      amount: view.amount,
      amount_captured: view.amountReceived,
      amount_refunded: view.amountRefunded,
      captured: view.status === 'succeeded',
      currency: view.currency,
      livemode: false,
      paid: view.status === 'requires_capture' || view.status === 'succeeded',
      payment_intent: view.id,
      refunded: view.amountReceived > 0 && view.amountRefunded === view.amountReceived,
      status: declined ? 'failed' : 'succeeded',
      failure_code: declined ? view.lastError!.code : null,
      failure_message: declined ? view.lastError!.message : null,
      payment_method_details: {
        type: 'card',
        // Stripe reports when an uncaptured authorization lapses on the charge, not the PaymentIntent.
        card: view.captureBefore ? { capture_before: unix(new Date(view.captureBefore)) } : {},
      },
    };
  }

  /** A PaymentIntent as Stripe's API returns it. */
  async function paymentIntentObject(view: PaymentIntentView, expandCharge: boolean) {
    const row = await prisma.simulatedPaymentIntent.findUnique({
      where: { id: view.id },
      select: { paymentMethod: true, createdAt: true },
    });
    const more = extras.get(view.id);
    const paymentMethod = row?.paymentMethod ?? null;
    const declined = view.status === 'requires_payment_method';
    // No charge exists until the card was tried: while 3-D Secure is pending there is none.
    const charge = view.status === 'requires_action' ? null : chargeObject(view);
    return {
      id: view.id,
      object: 'payment_intent',
      amount: view.amount,
      amount_capturable: view.amountCapturable,
      amount_received: view.amountReceived,
      allowed_payment_method_types: ['card'],
      payment_method_types: ['card'],
      capture_method: 'manual',
      confirmation_method: 'automatic',
      client_secret: view.clientSecret,
      created: row ? unix(row.createdAt) : unix(new Date()),
      currency: view.currency,
      customer: more?.customer ?? null,
      description: more?.description ?? null,
      receipt_email: more?.receiptEmail ?? null,
      setup_future_usage: more?.setupFutureUsage ?? null,
      livemode: false,
      metadata: view.metadata,
      status: view.status,
      // Stripe.js takes over 3-D Secure from the client secret when no return_url was given.
      next_action:
        view.status === 'requires_action'
          ? {
              type: 'use_stripe_sdk',
              use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: view.nextAction?.url },
            }
          : null,
      // A declined card is detached from the PaymentIntent and named in the error instead.
      payment_method: declined ? null : paymentMethod,
      last_payment_error: view.lastError && {
        type: view.lastError.declineCode ? 'card_error' : 'invalid_request_error',
        code: view.lastError.code,
        decline_code: view.lastError.declineCode ?? undefined,
        message: view.lastError.message,
        charge: charge?.id,
        payment_method: paymentMethod && { id: paymentMethod, object: 'payment_method', type: 'card' },
      },
      latest_charge: charge && (expandCharge ? charge : charge.id),
    };
  }

  async function refundObject(refund: RefundView) {
    const intent = await simulated.retrieve(refund.paymentId);
    return {
      id: refund.id,
      object: 'refund',
      amount: refund.amount,
      charge: `ch_${refund.paymentId.slice('pi_'.length)}`,
      currency: intent.currency,
      metadata: {},
      payment_intent: refund.paymentId,
      status: refund.status,
      failure_reason: refund.failureReason ?? undefined,
    };
  }

  /** Stripe's 404 for the resource named in the URL; elsewhere a missing reference is a 400. */
  async function onPathResource<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof PaymentRequestError && err.code === 'resource_missing') {
        throw invalid(err.message, err.code, 'id', 404);
      }
      throw err;
    }
  }

  function createCustomer(params: Params, key: string | undefined): CustomerRecord {
    onlyKnown(params, ['email', 'metadata']);
    const email = text(params, 'email') ?? null;
    const metadata = stringMap(params, 'metadata');
    const request = JSON.stringify({ email, metadata: Object.entries(metadata).sort() });
    const stored = key ? customerKeys.get(key) : undefined;
    if (stored) {
      if (stored.request !== request) throw idempotencyError(key!);
      return stored.customer;
    }
    const customer: CustomerRecord = { id: randomId('cus'), email, metadata, created: unix(new Date()) };
    customers.set(customer.id, customer);
    if (key) customerKeys.set(key, { request, customer });
    return customer;
  }

  async function createPaymentIntent(params: Params, key: string) {
    onlyKnown(params, [
      'amount',
      'currency',
      'customer',
      'payment_method',
      'allowed_payment_method_types',
      'capture_method',
      'confirm',
      'setup_future_usage',
      'off_session',
      'metadata',
      'description',
      'receipt_email',
      'expand',
    ]);
    const expandCharge = expandsCharge(params);
    // The simulated provider plays one flow: a card PaymentIntent confirmed at creation, captured later.
    if (text(params, 'capture_method') !== 'manual' || !flag(params, 'confirm')) {
      throw invalid('This double serves only capture_method=manual with confirm=true.', 'parameter_invalid');
    }
    const types = params.allowed_payment_method_types;
    if (types !== undefined && !(Array.isArray(types) && types.includes('card'))) {
      throw invalid('Only card payments are served here.', 'parameter_invalid', 'allowed_payment_method_types');
    }
    const customer = text(params, 'customer');
    if (customer && !customers.has(customer)) {
      throw invalid(`No such customer: '${customer}'`, 'resource_missing', 'customer');
    }
    const setupFutureUsage = text(params, 'setup_future_usage');
    if (setupFutureUsage && setupFutureUsage !== 'off_session' && setupFutureUsage !== 'on_session') {
      throw invalid(`Invalid setup_future_usage: ${setupFutureUsage}`, 'parameter_invalid', 'setup_future_usage');
    }
    const input: AuthorizeInput = {
      amountCents: integer(params, 'amount'),
      currency: text(params, 'currency', true),
      paymentMethod: text(params, 'payment_method', true),
      idempotencyKey: key,
      metadata: stringMap(params, 'metadata') as AuthorizeInput['metadata'],
      description: text(params, 'description'),
      receiptEmail: text(params, 'receipt_email'),
      offSession: flag(params, 'off_session'),
    };
    const view = await simulated.authorize(input);
    extras.set(view.id, {
      customer: customer ?? null,
      description: input.description ?? null,
      receiptEmail: input.receiptEmail ?? null,
      setupFutureUsage: setupFutureUsage ?? null,
    });
    if (view.status === 'requires_payment_method' && view.lastError) {
      // What Stripe answers a declined confirmation with: 402, the PaymentIntent inside the error.
      const declined = await paymentIntentObject(view, false);
      throw new StripeHttpError(402, {
        type: 'card_error',
        code: view.lastError.code,
        decline_code: view.lastError.declineCode ?? undefined,
        message: view.lastError.message,
        charge: declined.latest_charge,
        payment_intent: declined,
        payment_method: declined.last_payment_error?.payment_method,
      });
    }
    return paymentIntentObject(view, expandCharge);
  }

  /**
   * Stripe's search, for the one query StripePaymentProvider makes: a workflow and attempt in the
   * metadata. Any other query is refused, so the provider cannot come to rely on one untested here.
   */
  async function searchPaymentIntents(params: Params) {
    onlyKnown(params, ['query', 'limit']);
    const query = text(params, 'query', true);
    const match = /^metadata\['workflowId'\]:'((?:[^'\\]|\\.)*)' AND metadata\['attempt'\]:'((?:[^'\\]|\\.)*)'$/.exec(
      query,
    );
    if (!match) throw invalid(`The search query is not one this double serves: ${query}`, 'parameter_invalid', 'query');
    const unescape = (v: string) => v.replace(/\\(.)/g, '$1');
    const found = await simulated.findIntent({ workflowId: unescape(match[1]!), attempt: unescape(match[2]!) });
    return {
      object: 'search_result',
      url: '/v1/payment_intents/search',
      has_more: false,
      next_page: null,
      data: found ? [await paymentIntentObject(found, false)] : [],
    };
  }

  function idempotencyError(key: string): StripeHttpError {
    return new StripeHttpError(400, {
      type: 'idempotency_error',
      message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
    });
  }

  async function route(method: string, path: string, params: Params, key: string | undefined): Promise<unknown> {
    const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
    if (segments[0] !== 'v1') return undefined;
    const [, resource, id, action] = segments;
    const idempotencyKey = key ?? '';

    if (resource === 'customers' && method === 'POST' && segments.length === 2) {
      const customer = createCustomer(params, key);
      return { ...customer, object: 'customer', livemode: false };
    }
    if (resource === 'payment_intents') {
      if (method === 'POST' && segments.length === 2) return createPaymentIntent(params, idempotencyKey);
      if (method === 'GET' && segments.length === 3 && id === 'search') return searchPaymentIntents(params);
      if (method === 'GET' && segments.length === 3) {
        onlyKnown(params, ['expand']);
        const expandCharge = expandsCharge(params);
        return paymentIntentObject(await onPathResource(() => simulated.retrieve(id!)), expandCharge);
      }
      if (method === 'POST' && segments.length === 4 && action === 'capture') {
        onlyKnown(params, ['amount_to_capture', 'expand']);
        const expandCharge = expandsCharge(params);
        const amountCents = integer(params, 'amount_to_capture');
        const view = await onPathResource(() => simulated.capture({ paymentId: id!, amountCents, idempotencyKey }));
        return paymentIntentObject(view, expandCharge);
      }
      if (method === 'POST' && segments.length === 4 && action === 'cancel') {
        onlyKnown(params, ['expand']);
        const expandCharge = expandsCharge(params);
        const view = await onPathResource(() => simulated.cancel({ paymentId: id!, idempotencyKey }));
        return paymentIntentObject(view, expandCharge);
      }
    }
    if (resource === 'refunds') {
      if (method === 'POST' && segments.length === 2) {
        onlyKnown(params, ['payment_intent', 'amount']);
        const paymentId = text(params, 'payment_intent', true);
        const amountCents = integer(params, 'amount');
        return refundObject(await simulated.refund({ paymentId, amountCents, idempotencyKey }));
      }
      if (method === 'GET' && segments.length === 3) {
        onlyKnown(params, []);
        return refundObject(await onPathResource(() => simulated.retrieveRefund(id!)));
      }
    }
    return undefined;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', 'request-id': randomId('req') });
      response.end(JSON.stringify(body));
    };
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const url = new URL(request.url ?? '/', 'http://double.invalid');
      if (!/^Bearer sk_test_\S+$/.test(request.headers.authorization ?? '')) {
        throw invalid(
          'Invalid API Key provided: a test secret key (sk_test_...) is required.',
          undefined,
          undefined,
          401,
        );
      }
      const method = request.method ?? 'GET';
      const params = parseStripeForm(method === 'GET' ? url.search.slice(1) : Buffer.concat(chunks).toString('utf8'));
      const header = request.headers['idempotency-key'];
      const key = typeof header === 'string' ? header : undefined;
      requests.push({ method, path: url.pathname, idempotencyKey: key });
      if (outage) {
        return send(500, { error: { type: 'api_error', message: 'An error occurred with our connection to Stripe.' } });
      }
      const stored = key !== undefined && keyEpoch > 0 ? `${key}~epoch${keyEpoch}` : key;
      const result = await route(method, url.pathname, params, stored);
      if (result === undefined) {
        throw invalid(`Unrecognized request URL (${method}: ${url.pathname}).`, undefined, undefined, 404);
      }
      const loss = losses.find((l) => l.left > 0 && l.method === method && l.path.test(url.pathname));
      if (loss) {
        response.destroy(); // done on "Stripe's" side; the caller sees a dropped connection
        if (--loss.left === 0) loss.done();
        return;
      }
      send(200, result);
    } catch (err) {
      if (err instanceof StripeHttpError) return send(err.status, { error: err.body });
      if (err instanceof PaymentRequestError) {
        if (err.code === 'idempotency_key_reused') {
          return send(400, { error: { type: 'idempotency_error', message: err.message } });
        }
        return send(400, { error: { type: 'invalid_request_error', code: err.code, message: err.message } });
      }
      // A bug in the double or the simulated provider: loud, and Stripe's shape so the SDK reports it.
      console.error('[stripe-double]', err);
      send(500, { error: { type: 'api_error', message: (err as Error).message } });
    }
  }

  async function sendEvent(
    type: string,
    object: unknown,
    opts: { id?: string; createdAt?: Date; signature?: 'valid' | 'bad' | 'stale' | 'future'; drop?: 'data' } = {},
  ): Promise<Response> {
    if (!webhook) throw new Error('startStripeDouble: no webhook target was configured');
    const event = {
      id: opts.id ?? randomId('evt'),
      object: 'event',
      api_version: Stripe.API_VERSION,
      created: unix(opts.createdAt ?? new Date()),
      data: { object },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    };
    const payload = JSON.stringify(opts.drop === 'data' ? { ...event, data: {} } : event);
    const now = unix(new Date());
    const header = Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: opts.signature === 'bad' ? `${webhook.secret}_not_it` : webhook.secret,
      timestamp: opts.signature === 'stale' ? now - 600 : opts.signature === 'future' ? now + 600 : now,
    });
    return fetch(webhook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'stripe-signature': header,
        'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      },
      body: payload,
    });
  }

  return {
    apiBase,
    async authenticate(paymentId, outcome) {
      const view = await simulated.authenticate(paymentId, outcome);
      if (!webhook) return;
      const type =
        view.status === 'requires_capture'
          ? 'payment_intent.amount_capturable_updated'
          : 'payment_intent.payment_failed';
      const response = await sendEvent(type, await paymentIntentObject(view, false));
      if (!response.ok) {
        throw new Error(`the webhook answered ${type} with ${response.status}: ${await response.text()}`);
      }
    },
    sendEvent,
    requests,
    loseAnswers(method, path, times) {
      return new Promise<void>((done) => losses.push({ method, path, left: times, done }));
    },
    forgetIdempotencyKeys() {
      keyEpoch++;
    },
    setOutage(on) {
      outage = on;
    },
    setWebhook(target) {
      webhook = target;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // The SDK keeps sockets alive between requests: without this, close waits for them to idle out.
        server.closeAllConnections();
      });
    },
  };
}
