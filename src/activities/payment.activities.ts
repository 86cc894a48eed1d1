import type {
  AuthorizeInput,
  IntentLookup,
  PaymentIntentView,
  PaymentProvider,
  RefundView,
} from '../payments/provider.js';

/** Set by the workflow when an operator retried a step that had stopped (see createPaymentActivities). */
interface Retried {
  lookUpFirst?: boolean;
}

export interface PaymentActivityDeps {
  payments: PaymentProvider;
}

/**
 * Payment steps through the provider. Each mutating call carries an idempotency key derived from
 * the workflow id and the step, so a retry after a crash repeats nothing at the provider.
 */
export function createPaymentActivities({ payments }: PaymentActivityDeps) {
  /**
   * With `lookUpFirst` (a step an operator retried, perhaps days later, when the provider may have
   * forgotten the idempotency key), the PaymentIntent an earlier try made is looked for first and
   * answered if found: an authorization whose answer was lost is never made twice.
   */
  async function once(
    { lookUpFirst, metadata }: { lookUpFirst?: boolean; metadata: IntentLookup },
    create: () => Promise<PaymentIntentView>,
  ): Promise<PaymentIntentView> {
    return (lookUpFirst ? await payments.findIntent(metadata) : null) ?? create();
  }

  return {
    /** Creates and confirms a manual-capture PaymentIntent: a hold, a decline, or 3-D Secure to do. */
    async authorizePayment({ lookUpFirst, ...input }: AuthorizeInput & Retried): Promise<PaymentIntentView> {
      return once({ lookUpFirst, metadata: input.metadata }, () => payments.authorize(input));
    },

    /** The PaymentIntent as the provider has it now (after a webhook, or 3-D Secure). */
    async retrievePayment({ paymentId }: { paymentId: string }): Promise<PaymentIntentView> {
      return payments.retrieve(paymentId);
    },

    /**
     * Captures what ships. Asks first: an earlier attempt may have captured before its answer was
     * lost, and a capture never happens twice whatever its key.
     */
    async capturePayment(input: {
      paymentId: string;
      amountCents: number;
      idempotencyKey: string;
    }): Promise<PaymentIntentView> {
      const current = await payments.retrieve(input.paymentId);
      if (current.status === 'succeeded') return current;
      return payments.capture(input);
    },

    /** Compensation of authorizePayment: voids the hold (nothing to do when already void). */
    async cancelPayment(input: { paymentId: string; idempotencyKey: string }): Promise<PaymentIntentView> {
      const current = await payments.retrieve(input.paymentId);
      if (current.status === 'canceled' || current.status === 'succeeded') return current;
      return payments.cancel(input);
    },

    /** A new hold with the same payment method, off-session, before the current one lapses. */
    async reauthorizePayment({
      lookUpFirst,
      ...input
    }: Parameters<PaymentProvider['reauthorize']>[0] & Retried): Promise<PaymentIntentView> {
      return once({ lookUpFirst, metadata: input.metadata }, () => payments.reauthorize(input));
    },

    /** A refund as the provider has it now: pending refunds are followed until they end. */
    async retrieveRefund({ refundId }: { refundId: string }): Promise<RefundView> {
      return payments.retrieveRefund(refundId);
    },

    /** Refunds part of what was captured. */
    async refundPayment(input: {
      paymentId: string;
      amountCents: number;
      idempotencyKey: string;
    }): Promise<RefundView> {
      return payments.refund(input);
    },
  };
}
