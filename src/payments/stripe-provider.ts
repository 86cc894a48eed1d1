/**
 * The PaymentProvider on Stripe's API, through the official SDK: manual-capture PaymentIntents,
 * confirmed at creation, on a Customer per order so the card can be charged again off-session.
 *
 * What callers can rely on, whichever way Stripe answers:
 * - A decline is an answer, not an exception: the PaymentIntent comes back as requires_payment_method
 *   with lastError, exactly as the simulated provider gives it.
 * - A request Stripe refuses for good (unknown id, bad parameter, wrong state, a reused idempotency
 *   key) is a PaymentRequestError with Stripe's error code: retrying it would change nothing.
 * - A key Stripe refuses (401, 403) is a ProviderRejectedError: nothing changes until it is fixed.
 * - Anything else (connection, rate limit, Stripe's 5xx) is rethrown unchanged, so the
 *   activity fails and Temporal retries it; every mutating call carries an idempotency key, so a retry
 *   is never a second charge.
 */
import Stripe from 'stripe';
import {
  PaymentRequestError,
  ProviderRejectedError,
  type AuthorizeInput,
  type IntentLookup,
  type NextAction,
  type PaymentIntentStatus,
  type PaymentIntentView,
  type PaymentProvider,
  type RefundView,
} from './provider.js';

/**
 * Per HTTP attempt. A payment activity has one minute (startToCloseTimeout) and authorize makes two
 * calls of up to three attempts each (maxNetworkRetries: 2): 2 × 3 × 8 s plus backoff stays inside it.
 */
const DEFAULT_TIMEOUT_MS = 8_000;

/** Every view needs the charge: amount_refunded and the authorization's capture_before live there. */
const EXPAND_CHARGE = ['latest_charge'];

const STATUSES: ReadonlySet<string> = new Set<PaymentIntentStatus>([
  'requires_payment_method',
  'requires_action',
  'requires_capture',
  'processing',
  'succeeded',
  'canceled',
]);

type StripeError = InstanceType<typeof Stripe.errors.StripeError>;

function isStripeError(err: unknown): err is StripeError {
  return err instanceof Stripe.errors.StripeError;
}

function toStatus(pi: Stripe.PaymentIntent): PaymentIntentStatus {
  if (STATUSES.has(pi.status)) return pi.status as PaymentIntentStatus;
  // We always confirm on creation, so requires_confirmation means nothing is authorized: like a
  // PaymentIntent that still needs a payment method, nobody may count on a hold.
  if (pi.status === 'requires_confirmation') return 'requires_payment_method';
  throw new Error(`PaymentIntent ${pi.id} has a status this provider does not know: ${pi.status}`);
}

function toNextAction(action: Stripe.PaymentIntent.NextAction | null): NextAction | null {
  if (!action) return null;
  if (action.type === 'redirect_to_url') return { type: 'redirect_to_url', url: action.redirect_to_url?.url ?? null };
  // Every other kind (use_stripe_sdk for 3-D Secure) is handled by Stripe.js from the client secret.
  return { type: 'use_stripe_sdk', url: null };
}

function idOf(value: string | { id: string } | null | undefined): string | null {
  if (!value) return null;
  return typeof value === 'string' ? value : value.id;
}

/** Stripe's PaymentIntent (latest_charge expanded where available) as the provider-neutral view. */
function toView(pi: Stripe.PaymentIntent): PaymentIntentView {
  // Unexpanded (a string) only on the PaymentIntent inside a decline error: no charge went through there.
  const charge = pi.latest_charge && typeof pi.latest_charge === 'object' ? pi.latest_charge : null;
  const captureBefore = charge?.payment_method_details?.card?.capture_before;
  const error = pi.last_payment_error;
  return {
    id: pi.id,
    status: toStatus(pi),
    amount: pi.amount,
    currency: pi.currency,
    amountCapturable: pi.amount_capturable,
    amountReceived: pi.amount_received,
    amountRefunded: charge?.amount_refunded ?? 0,
    clientSecret: pi.client_secret,
    nextAction: toNextAction(pi.next_action),
    lastError: error
      ? { code: error.code ?? error.type, declineCode: error.decline_code ?? null, message: error.message ?? '' }
      : null,
    captureBefore: captureBefore ? new Date(captureBefore * 1000).toISOString() : null,
    metadata: { ...pi.metadata },
  };
}

function toRefundStatus(status: string | null): RefundView['status'] {
  if (status === 'succeeded' || status === 'failed' || status === 'canceled') return status;
  // pending, requires_action, or a status added later: not done, so never counted as refunded.
  return 'pending';
}

/** A value inside a search query's single quotes: Stripe escapes a quote with a backslash. */
function searchValue(value: string): string {
  return value.replace(/['\\]/g, (c) => `\\${c}`);
}

function toRefundView(refund: Stripe.Refund): RefundView {
  return {
    id: refund.id,
    // Our refunds are always made on a PaymentIntent; one made on a bare charge elsewhere has none.
    paymentId: idOf(refund.payment_intent) ?? '',
    amount: refund.amount,
    status: toRefundStatus(refund.status),
    failureReason: refund.failure_reason ?? null,
  };
}

/**
 * Turns Stripe's final refusals into PaymentRequestError and rethrows the rest as they are, so
 * transient failures stay retryable. Never returns.
 */
function translate(err: unknown): never {
  if (!isStripeError(err)) throw err;
  // The SDK classifies idempotency_error only on a 400; checking the raw type catches it on any status.
  if (err instanceof Stripe.errors.StripeIdempotencyError || err.rawType === 'idempotency_error') {
    throw new PaymentRequestError('idempotency_key_reused', err.message);
  }
  if (err instanceof Stripe.errors.StripeInvalidRequestError) {
    // resource_missing, parameter_*, amount_too_large, payment_intent_unexpected_state,
    // charge_expired_for_capture ...; a bare schema refusal (stripe-mock's) carries no code.
    throw new PaymentRequestError(err.code ?? 'invalid_request_error', err.message);
  }
  if (err instanceof Stripe.errors.StripeAuthenticationError || err instanceof Stripe.errors.StripePermissionError) {
    throw new ProviderRejectedError(err.statusCode ?? 401, err.message);
  }
  if (err instanceof Stripe.errors.StripeCardError) {
    // A card error outside a confirmation (authorize handles those): the card will not change on retry.
    throw new PaymentRequestError(err.code ?? 'card_declined', err.message);
  }
  throw err;
}

/** Options for the Stripe provider; apiBase points the SDK at stripe-mock or a test double. */
export interface StripeProviderOptions {
  secretKey: string;
  /** An origin such as http://localhost:12111; Stripe's API when unset. */
  apiBase?: string;
  /** Per HTTP attempt, in milliseconds. */
  timeoutMs?: number;
}

/** PaymentProvider on Stripe's API (or anything that speaks it: stripe-mock, the test double). */
export class StripePaymentProvider implements PaymentProvider {
  readonly name = 'stripe' as const;
  private readonly stripe: Stripe;

  constructor(options: StripeProviderOptions) {
    const base = options.apiBase ? new URL(options.apiBase) : undefined;
    const protocol = base?.protocol === 'http:' ? 'http' : 'https';
    this.stripe = new Stripe(options.secretKey, {
      maxNetworkRetries: 2,
      // Telemetry headers report request latencies to Stripe: nothing a test double or stripe-mock needs.
      telemetry: false,
      timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(base && {
        host: base.hostname,
        port: base.port || (protocol === 'http' ? 80 : 443),
        protocol,
      }),
    });
  }

  /** Creates the order's Customer, then a manual-capture PaymentIntent confirmed at once (see PaymentProvider). */
  async authorize(input: AuthorizeInput): Promise<PaymentIntentView> {
    try {
      // A Customer, so the card is saved (setup_future_usage) and can be charged again off-session
      // by reauthorize. Its own key: a retried authorize finds the same Customer.
      const customer = await this.stripe.customers.create(
        { email: input.receiptEmail, metadata: { orderId: input.metadata.orderId } },
        { idempotencyKey: `${input.idempotencyKey}:customer` },
      );
      return await this.createIntent(
        {
          amount: input.amountCents,
          currency: input.currency.toLowerCase(),
          customer: customer.id,
          payment_method: input.paymentMethod,
          setup_future_usage: 'off_session',
          ...(input.offSession && { off_session: true }),
          metadata: input.metadata,
          description: input.description,
          receipt_email: input.receiptEmail,
        },
        input.idempotencyKey,
      );
    } catch (err) {
      translate(err);
    }
  }

  /** A new hold off-session with the Customer and card of an earlier PaymentIntent (see PaymentProvider). */
  async reauthorize(input: {
    paymentId: string;
    amountCents: number;
    idempotencyKey: string;
    metadata: AuthorizeInput['metadata'];
  }): Promise<PaymentIntentView> {
    try {
      const previous = await this.stripe.paymentIntents.retrieve(input.paymentId);
      const customer = idOf(previous.customer);
      const paymentMethod = idOf(previous.payment_method);
      // Refused here rather than by Stripe: a card is reusable only once saved on a Customer.
      if (!customer || !paymentMethod) {
        throw new PaymentRequestError(
          'payment_intent_unexpected_state',
          `PaymentIntent ${previous.id} has no saved payment method on a Customer to charge again (status ${previous.status}).`,
        );
      }
      return await this.createIntent(
        {
          amount: input.amountCents,
          currency: previous.currency,
          customer,
          payment_method: paymentMethod,
          // Nobody is there to authenticate: a card that needs it is declined (authentication_required).
          off_session: true,
          metadata: input.metadata,
          description: previous.description ?? undefined,
        },
        input.idempotencyKey,
      );
    } catch (err) {
      translate(err);
    }
  }

  /** The PaymentIntent as Stripe has it now (an authorization that lapsed shows as canceled). */
  async retrieve(paymentId: string): Promise<PaymentIntentView> {
    try {
      return toView(await this.stripe.paymentIntents.retrieve(paymentId, { expand: EXPAND_CHARGE }));
    } catch (err) {
      translate(err);
    }
  }

  /**
   * Finds a PaymentIntent by the workflow and attempt in its metadata, through Stripe's search API
   * (see PaymentProvider). Search is eventually consistent, about a minute behind: it is asked only
   * by a retry long after the first try, which is when an idempotency key may be gone too.
   */
  async findIntent({ workflowId, attempt }: IntentLookup): Promise<PaymentIntentView | null> {
    try {
      const found = await this.stripe.paymentIntents.search({
        query: `metadata['workflowId']:'${searchValue(workflowId)}' AND metadata['attempt']:'${searchValue(attempt)}'`,
        limit: 10,
      });
      const oldest = found.data.toSorted((a, b) => a.created - b.created)[0];
      return oldest ? await this.retrieve(oldest.id) : null;
    } catch (err) {
      // Search refused (Stripe has none for accounts in India): nothing can be found, so the retry
      // creates as before. Not a refusal of the payment; an outage is still thrown, to retry.
      if (err instanceof Stripe.errors.StripeInvalidRequestError) return null;
      translate(err);
    }
  }

  /** Captures part or all of the hold; Stripe releases the rest. */
  async capture(input: { paymentId: string; amountCents: number; idempotencyKey: string }): Promise<PaymentIntentView> {
    try {
      const pi = await this.stripe.paymentIntents.capture(
        input.paymentId,
        { amount_to_capture: input.amountCents, expand: EXPAND_CHARGE },
        { idempotencyKey: input.idempotencyKey },
      );
      return toView(pi);
    } catch (err) {
      translate(err);
    }
  }

  /** Voids the authorization, or abandons a PaymentIntent still waiting for action or a payment method. */
  async cancel(input: { paymentId: string; idempotencyKey: string }): Promise<PaymentIntentView> {
    try {
      const pi = await this.stripe.paymentIntents.cancel(
        input.paymentId,
        { expand: EXPAND_CHARGE },
        { idempotencyKey: input.idempotencyKey },
      );
      return toView(pi);
    } catch (err) {
      translate(err);
    }
  }

  /** Refunds part of what was captured; the refund may stay pending or fail later (see retrieveRefund). */
  async refund(input: { paymentId: string; amountCents: number; idempotencyKey: string }): Promise<RefundView> {
    try {
      const refund = await this.stripe.refunds.create(
        { payment_intent: input.paymentId, amount: input.amountCents },
        { idempotencyKey: input.idempotencyKey },
      );
      return toRefundView(refund);
    } catch (err) {
      translate(err);
    }
  }

  /** A refund as Stripe has it now: how a pending refund is followed to succeeded or failed. */
  async retrieveRefund(refundId: string): Promise<RefundView> {
    try {
      return toRefundView(await this.stripe.refunds.retrieve(refundId));
    } catch (err) {
      translate(err);
    }
  }

  /**
   * Creates and confirms a manual-capture card PaymentIntent. Stripe answers a decline with HTTP 402
   * carrying the declined PaymentIntent: that is returned as a view, not thrown.
   */
  private async createIntent(
    params: Omit<
      Stripe.PaymentIntentCreateParams,
      'capture_method' | 'confirm' | 'allowed_payment_method_types' | 'expand'
    >,
    idempotencyKey: string,
  ): Promise<PaymentIntentView> {
    try {
      const pi = await this.stripe.paymentIntents.create(
        {
          ...params,
          capture_method: 'manual',
          confirm: true,
          // The SDK's API version (2026-10-28) replaced payment_method_types with this parameter.
          allowed_payment_method_types: ['card'],
          expand: EXPAND_CHARGE,
        },
        { idempotencyKey },
      );
      return toView(pi);
    } catch (err) {
      if (!(err instanceof Stripe.errors.StripeCardError)) throw err;
      return this.declined(err);
    }
  }

  private async declined(err: InstanceType<typeof Stripe.errors.StripeCardError>): Promise<PaymentIntentView> {
    const attached = err.payment_intent;
    // The error's copy may be partial: read the PaymentIntent itself when it lacks its status.
    const pi =
      attached && typeof attached.status === 'string'
        ? attached
        : attached?.id
          ? await this.stripe.paymentIntents.retrieve(attached.id, { expand: EXPAND_CHARGE })
          : undefined;
    // A card error with no PaymentIntent did not create one: there is nothing to answer with.
    if (!pi) throw new PaymentRequestError(err.code ?? 'card_declined', err.message);
    const view = toView(pi);
    return {
      ...view,
      // Stripe records the decline on the PaymentIntent; the error itself is the fallback.
      lastError: view.lastError ?? {
        code: err.code ?? 'card_declined',
        declineCode: err.decline_code || null,
        message: err.message,
      },
    };
  }
}
