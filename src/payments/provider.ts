/**
 * The payment provider interface: PaymentIntents with manual capture, as Stripe has them. Orders
 * authorize (hold) at placement, capture what ships, cancel (void) before capture, refund after.
 * Two implementations pass one contract test suite: the simulated provider (no Stripe key; it
 * answers like Stripe's test mode for Stripe's test payment methods) and Stripe itself.
 */

export type PaymentIntentStatus =
  | 'requires_payment_method' // declined: a new payment method is needed
  | 'requires_action' // the customer must authenticate (3-D Secure)
  | 'requires_capture' // authorized: the amount is held
  | 'processing'
  | 'succeeded' // captured (fully or partly; the rest was released)
  | 'canceled'; // voided

export interface PaymentError {
  /** Stripe's error code, e.g. card_declined, expired_card, payment_intent_authentication_failure. */
  code: string;
  /** Stripe's decline code when the card was declined, e.g. generic_decline, insufficient_funds. */
  declineCode: string | null;
  message: string;
}

export interface NextAction {
  /** redirect_to_url (the simulated provider) or use_stripe_sdk (Stripe.js handles it). */
  type: 'redirect_to_url' | 'use_stripe_sdk';
  /** Where the customer authenticates, for redirect_to_url. */
  url: string | null;
}

export interface PaymentIntentView {
  id: string;
  status: PaymentIntentStatus;
  amount: number;
  currency: string;
  amountCapturable: number;
  amountReceived: number;
  amountRefunded: number;
  /** Handed to the storefront so it can confirm or authenticate the payment (Stripe.js). */
  clientSecret: string | null;
  nextAction: NextAction | null;
  lastError: PaymentError | null;
  /** An authorization lapses at this time: never capture after it. */
  captureBefore: string | null;
  metadata: Record<string, string>;
}

export interface RefundView {
  id: string;
  paymentId: string;
  amount: number;
  /** A refund can fail or stay pending: it is never assumed done. */
  status: 'pending' | 'succeeded' | 'failed' | 'canceled';
  failureReason: string | null;
}

export interface AuthorizeInput {
  amountCents: number;
  currency: string;
  /** A payment method id, e.g. pm_card_visa. */
  paymentMethod: string;
  /** Same key, same answer: a retried call never creates a second PaymentIntent. */
  idempotencyKey: string;
  /** Carried to the provider, so a PaymentIntent can be found again by its order. */
  metadata: { orderId: string; workflowId: string; attempt: string };
  description?: string;
  receiptEmail?: string;
  /** The customer is not there to authenticate (re-authorization). */
  offSession?: boolean;
}

/** What finds a PaymentIntent again: the workflow that made it and which of its attempts. */
export type IntentLookup = Pick<AuthorizeInput['metadata'], 'workflowId' | 'attempt'>;

/** A request the provider refused for a reason a retry will not change (e.g. capture more than held). */
export class PaymentRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PaymentRequestError';
  }
}

/**
 * The provider refused us rather than the request (401 a revoked or wrong key, 403 a missing
 * permission): no retry helps until someone fixes the configuration.
 */
export class ProviderRejectedError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ProviderRejectedError';
  }
}

export interface PaymentProvider {
  readonly name: 'simulated' | 'stripe';
  /**
   * Creates and confirms a manual-capture PaymentIntent. A decline is not an exception: it comes
   * back as status requires_payment_method with lastError; authentication as requires_action.
   */
  authorize(input: AuthorizeInput): Promise<PaymentIntentView>;
  retrieve(paymentId: string): Promise<PaymentIntentView>;
  /**
   * The PaymentIntent an earlier authorize or reauthorize made for this workflow and attempt (by
   * the metadata it carried), or null. For a retry made after the provider may have forgotten the
   * idempotency key (Stripe keeps keys for 24 hours): it looks before it creates, so a hold whose
   * answer was lost is found rather than doubled.
   */
  findIntent(metadata: IntentLookup): Promise<PaymentIntentView | null>;
  /**
   * A new hold with the payment method of an earlier PaymentIntent, made off-session (the customer
   * is not there): before an authorization lapses on a long backorder. A card that needs the
   * customer to authenticate is declined (authentication_required).
   */
  reauthorize(input: {
    paymentId: string;
    amountCents: number;
    idempotencyKey: string;
    metadata: AuthorizeInput['metadata'];
  }): Promise<PaymentIntentView>;
  /** Captures `amountCents` (at most what is capturable); the rest of the hold is released. */
  capture(input: { paymentId: string; amountCents: number; idempotencyKey: string }): Promise<PaymentIntentView>;
  /** Voids an authorization (or abandons one that still needs action). */
  cancel(input: { paymentId: string; idempotencyKey: string }): Promise<PaymentIntentView>;
  refund(input: { paymentId: string; amountCents: number; idempotencyKey: string }): Promise<RefundView>;
  retrieveRefund(refundId: string): Promise<RefundView>;
}
