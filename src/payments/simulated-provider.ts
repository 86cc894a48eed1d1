/**
 * A payment provider that needs no Stripe account: it answers like Stripe's test mode for a
 * manual-capture PaymentIntent created and confirmed at once, for Stripe's test payment methods, and
 * keeps every PaymentIntent and idempotent response in Postgres, so it survives restarts and stays
 * consistent when activities retry or race.
 *
 * Where the data lives (no tables of its own beyond the two in the schema):
 * - simulated_payment_intents: one row per PaymentIntent, the source of truth for its state.
 * - simulated_idempotency_keys: the request fingerprint and the response of every mutating call, as
 *   Stripe replays them. Refunds live only here (the response of the refund call): a simulated refund
 *   succeeds at once and never changes afterwards, so the stored response is the refund, and
 *   retrieveRefund finds it by the id inside that JSON.
 */
import { randomInt } from 'node:crypto';
import type { SimulatedPaymentIntent } from '../generated/prisma/client.js';
import { Prisma, type PrismaClient } from '../db/prisma.js';
import {
  PaymentRequestError,
  type AuthorizeInput,
  type IntentLookup,
  type PaymentError,
  type PaymentIntentStatus,
  type PaymentIntentView,
  type PaymentProvider,
  type RefundView,
} from './provider.js';

/** Stripe holds an online card authorization for 7 days before it lapses. */
const DEFAULT_AUTHORIZATION_VALIDITY_MS = 7 * 24 * 3_600_000;

/** Stripe's largest amount for a single charge (in the smallest currency unit). */
const MAX_AMOUNT = 99_999_999;

/** Generous: concurrent duplicates queue on the key's row lock and must not time out while they wait. */
const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 20_000 } as const;

type Tx = Prisma.TransactionClient;
type Row = SimulatedPaymentIntent;

/** What confirming with a test payment method does, as Stripe's test mode documents it. */
type ConfirmOutcome =
  | { status: 'requires_capture' }
  | { status: 'requires_action' }
  | { status: 'requires_payment_method'; error: PaymentError };

const AUTHORIZED: ConfirmOutcome = { status: 'requires_capture' };
const NEEDS_AUTHENTICATION: ConfirmOutcome = { status: 'requires_action' };
const declined = (code: string, declineCode: string, message: string): ConfirmOutcome => ({
  status: 'requires_payment_method',
  error: { code, declineCode, message },
});

// A Map, not an object literal: a payment method id such as 'constructor' must not find a prototype key.
const TEST_PAYMENT_METHODS: ReadonlyMap<string, ConfirmOutcome> = new Map([
  ['pm_card_visa', AUTHORIZED],
  ['pm_card_mastercard', AUTHORIZED],
  ['pm_card_amex', AUTHORIZED],
  ['pm_card_discover', AUTHORIZED],
  ['pm_card_chargeDeclined', declined('card_declined', 'generic_decline', 'Your card was declined.')],
  [
    'pm_card_chargeDeclinedInsufficientFunds',
    declined('card_declined', 'insufficient_funds', 'Your card has insufficient funds.'),
  ],
  ['pm_card_chargeDeclinedExpiredCard', declined('expired_card', 'expired_card', 'Your card has expired.')],
  [
    'pm_card_chargeDeclinedIncorrectCvc',
    declined('incorrect_cvc', 'incorrect_cvc', "Your card's security code is incorrect."),
  ],
  [
    'pm_card_chargeDeclinedProcessingError',
    declined(
      'processing_error',
      'processing_error',
      'An error occurred while processing your card. Try again in a little bit.',
    ),
  ],
  // Authorizes and captures normally; its refunds start pending and then fail, as with Stripe's card.
  ['pm_card_refundFail', AUTHORIZED],
  ['pm_card_authenticationRequired', NEEDS_AUTHENTICATION],
  ['pm_card_threeDSecure2Required', NEEDS_AUTHENTICATION],
]);

const AUTHENTICATION_FAILURE: PaymentError = {
  code: 'payment_intent_authentication_failure',
  declineCode: null,
  message: 'The provided PaymentMethod has failed authentication.',
};

const CANCELABLE: ReadonlySet<string> = new Set(['requires_payment_method', 'requires_action', 'requires_capture']);

/** A refusal the provider records against the idempotency key, so a retry gets the same refusal. */
interface Refusal {
  code: string;
  message: string;
}

/** What a mutating call answered, as stored in simulated_idempotency_keys.response. */
type StoredResponse =
  | { kind: 'payment_intent'; paymentIntent: PaymentIntentView }
  | { kind: 'refund'; refund: RefundView }
  | { kind: 'error'; error: Refusal };

/** The placeholder a key holds while its transaction runs; no other transaction ever sees it. */
const PENDING_RESPONSE = JSON.stringify({ kind: 'pending' });

type IntentPatch = Partial<
  Pick<Row, 'status' | 'amountCapturable' | 'amountReceived' | 'amountRefunded' | 'captureBefore'>
> & { lastError?: PaymentError | null };

/** A state transition decided from a row, before anything is written: a change, a refusal, or both. */
interface Decision {
  patch?: IntentPatch;
  refusal?: Refusal;
}

/** SQL NULL in a JSON column (a plain null would be ambiguous with JSON null). */
const DB_NULL = Prisma.DbNull;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function randomBase62(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[randomInt(BASE62.length)];
  return out;
}

function requestError(refusal: Refusal): PaymentRequestError {
  return new PaymentRequestError(refusal.code, refusal.message);
}

function noSuchPaymentIntent(id: string): PaymentRequestError {
  return new PaymentRequestError('resource_missing', `No such payment_intent: '${id}'`);
}

/** Amounts are checked before the key is taken, like Stripe's parameter validation: nothing is stored. */
function assertAmount(amount: number, param: string): void {
  if (!Number.isSafeInteger(amount) || amount < 1) {
    throw new PaymentRequestError(
      'parameter_invalid_integer',
      `Invalid ${param}: must be a positive integer (got ${amount}).`,
    );
  }
  if (amount > MAX_AMOUNT) {
    throw new PaymentRequestError('amount_too_large', `Amount must be no more than ${MAX_AMOUNT}.`);
  }
}

function assertKey(key: string): void {
  if (!key || key.length > 255) {
    throw new PaymentRequestError('parameter_invalid', 'An idempotency key of 1 to 255 characters is required.');
  }
}

/** The request a key stands for: same fingerprint, same request (metadata key order does not count). */
function fingerprint(operation: string, params: Record<string, unknown>): string {
  const sorted = Object.fromEntries(
    Object.entries(params).map(([k, v]) => [
      k,
      v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
    ]),
  );
  return JSON.stringify({ operation, ...sorted });
}

function isLapsed(row: Row, now: Date): boolean {
  return row.status === 'requires_capture' && now.getTime() >= row.captureBefore.getTime();
}

/** Stripe cancels an authorization nobody captured in time, releasing the hold. */
const LAPSE: IntentPatch = { status: 'canceled', amountCapturable: 0 };

function decideCapture(row: Row, amount: number, now: Date): Decision {
  if (isLapsed(row, now)) {
    return {
      patch: LAPSE,
      refusal: {
        code: 'charge_expired_for_capture',
        message: `The charge for ${row.id} has expired for capture: its authorization lapsed at ${row.captureBefore.toISOString()}.`,
      },
    };
  }
  if (row.status !== 'requires_capture') {
    return {
      refusal: {
        code: 'payment_intent_unexpected_state',
        message: `This PaymentIntent could not be captured because it has a status of ${row.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
      },
    };
  }
  if (amount > row.amountCapturable) {
    return {
      refusal: {
        code: 'amount_too_large',
        message: `The amount to capture (${amount}) is greater than the amount capturable (${row.amountCapturable}).`,
      },
    };
  }
  // A partial capture releases the rest of the hold: nothing stays capturable.
  return { patch: { status: 'succeeded', amountReceived: amount, amountCapturable: 0 } };
}

function decideCancel(row: Row, now: Date): Decision {
  // A lapsed authorization is already canceled as far as Stripe is concerned: record that, then refuse.
  const patch = isLapsed(row, now) ? LAPSE : undefined;
  const status = patch ? 'canceled' : row.status;
  if (!CANCELABLE.has(status)) {
    return {
      patch,
      refusal: {
        code: 'payment_intent_unexpected_state',
        message: `You cannot cancel this PaymentIntent because it has a status of ${status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.`,
      },
    };
  }
  return { patch: { status: 'canceled', amountCapturable: 0 } };
}

function decideRefund(row: Row, amount: number): Decision {
  if (row.status !== 'succeeded') {
    return {
      refusal: {
        code: 'payment_intent_unexpected_state',
        message: `This PaymentIntent (${row.id}) does not have a successful charge to refund (status ${row.status}).`,
      },
    };
  }
  const refundable = row.amountReceived - row.amountRefunded;
  if (refundable === 0) {
    return {
      refusal: { code: 'charge_already_refunded', message: `The charge of ${row.id} has already been refunded.` },
    };
  }
  if (amount > refundable) {
    return {
      refusal: {
        code: 'amount_too_large',
        message: `Refund amount (${amount}) is greater than unrefunded amount on charge (${refundable}).`,
      },
    };
  }
  return { patch: { amountRefunded: row.amountRefunded + amount } };
}

function decideAuthentication(row: Row, outcome: 'succeed' | 'fail', now: Date, validityMs: number): Decision {
  if (row.status !== 'requires_action') {
    return {
      refusal: {
        code: 'payment_intent_unexpected_state',
        message: `This PaymentIntent has a status of ${row.status}; only one that requires_action can be authenticated.`,
      },
    };
  }
  return outcome === 'succeed'
    ? // The card is authorized only now, so the hold's lifetime starts now.
      {
        patch: {
          status: 'requires_capture',
          amountCapturable: row.amount,
          lastError: null,
          captureBefore: new Date(now.getTime() + validityMs),
        },
      }
    : { patch: { status: 'requires_payment_method', lastError: AUTHENTICATION_FAILURE } };
}

function toView(row: Row, publicBaseUrl: string): PaymentIntentView {
  const status = row.status as PaymentIntentStatus;
  return {
    id: row.id,
    status,
    amount: row.amount,
    currency: row.currency,
    amountCapturable: row.amountCapturable,
    amountReceived: row.amountReceived,
    amountRefunded: row.amountRefunded,
    clientSecret: row.clientSecret,
    nextAction:
      status === 'requires_action'
        ? { type: 'redirect_to_url', url: `${publicBaseUrl}/simulated-payments/${row.id}/authenticate` }
        : null,
    lastError: (row.lastError as PaymentError | null) ?? null,
    // Only an authorized card has a hold that can lapse (Stripe reports it on the charge).
    captureBefore: status === 'requires_capture' || status === 'succeeded' ? row.captureBefore.toISOString() : null,
    metadata: row.metadata as Record<string, string>,
  };
}

function toPatchData(patch: IntentPatch): Prisma.SimulatedPaymentIntentUpdateInput {
  const { lastError, ...rest } = patch;
  return lastError === undefined ? rest : { ...rest, lastError: errorJson(lastError) };
}

function errorJson(error: PaymentError | null): Prisma.InputJsonObject | typeof DB_NULL {
  return error ? { code: error.code, declineCode: error.declineCode, message: error.message } : DB_NULL;
}

function unwrapIntent(response: StoredResponse): PaymentIntentView {
  if (response.kind === 'error') throw requestError(response.error);
  if (response.kind !== 'payment_intent') throw new Error(`stored response is a ${response.kind}, not a PaymentIntent`);
  return response.paymentIntent;
}

function unwrapRefund(response: StoredResponse): RefundView {
  if (response.kind === 'error') throw requestError(response.error);
  if (response.kind !== 'refund') throw new Error(`stored response is a ${response.kind}, not a refund`);
  return response.refund;
}

/** Stripe's test-mode PaymentIntents (manual capture), persisted in Postgres; no network, no Stripe key. */
export class SimulatedPaymentProvider implements PaymentProvider {
  readonly name = 'simulated' as const;
  private readonly publicBaseUrl: string;
  private readonly validityMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly prisma: PrismaClient,
    options: { publicBaseUrl: string; authorizationValidityMs?: number; now?: () => Date },
  ) {
    this.publicBaseUrl = options.publicBaseUrl.replace(/\/+$/, '');
    this.validityMs = options.authorizationValidityMs ?? DEFAULT_AUTHORIZATION_VALIDITY_MS;
    this.now = options.now ?? (() => new Date());
  }

  /** Creates and confirms a PaymentIntent; the test payment method decides the outcome. */
  async authorize(input: AuthorizeInput): Promise<PaymentIntentView> {
    assertKey(input.idempotencyKey);
    assertAmount(input.amountCents, 'amount');
    if (!/^[a-zA-Z]{3}$/.test(input.currency)) {
      throw new PaymentRequestError('parameter_invalid', `Invalid currency: ${input.currency}.`);
    }
    const request = fingerprint('authorize', {
      amount: input.amountCents,
      currency: input.currency.toLowerCase(),
      paymentMethod: input.paymentMethod,
      metadata: input.metadata,
      description: input.description ?? null,
      receiptEmail: input.receiptEmail ?? null,
      offSession: input.offSession ?? false,
    });
    const response = await this.once(input.idempotencyKey, request, async (tx) => {
      const listed = TEST_PAYMENT_METHODS.get(input.paymentMethod);
      // Off-session nobody can authenticate: Stripe declines such a card with authentication_required.
      const outcome: ConfirmOutcome | undefined =
        input.offSession && listed?.status === 'requires_action'
          ? declined(
              'authentication_required',
              'authentication_required',
              'Your card was declined. This transaction requires authentication.',
            )
          : listed;
      // Thrown, not stored: the transaction rolls back and the key stays free, as for Stripe's 404s.
      if (!outcome) {
        throw new PaymentRequestError('resource_missing', `No such PaymentMethod: '${input.paymentMethod}'`);
      }
      const id = `pi_sim_${randomBase62(24)}`;
      const created = this.now();
      const row = await tx.simulatedPaymentIntent.create({
        data: {
          id,
          amount: input.amountCents,
          // Stripe answers with the lowercase ISO code whatever case it was given.
          currency: input.currency.toLowerCase(),
          paymentMethod: input.paymentMethod,
          status: outcome.status,
          amountCapturable: outcome.status === 'requires_capture' ? input.amountCents : 0,
          lastError: errorJson(outcome.status === 'requires_payment_method' ? outcome.error : null),
          metadata: { ...input.metadata },
          clientSecret: `${id}_secret_${randomBase62(25)}`,
          captureBefore: new Date(created.getTime() + this.validityMs),
          createdAt: created,
        },
      });
      return { kind: 'payment_intent', paymentIntent: toView(row, this.publicBaseUrl) };
    });
    return unwrapIntent(response);
  }

  /** A new hold with an earlier PaymentIntent's payment method, off-session: 3-D Secure cards are declined. */
  async reauthorize(input: {
    paymentId: string;
    amountCents: number;
    idempotencyKey: string;
    metadata: AuthorizeInput['metadata'];
  }): Promise<PaymentIntentView> {
    const previous = await this.prisma.simulatedPaymentIntent.findUnique({ where: { id: input.paymentId } });
    if (!previous) throw noSuchPaymentIntent(input.paymentId);
    return this.authorize({
      amountCents: input.amountCents,
      currency: previous.currency,
      paymentMethod: previous.paymentMethod,
      idempotencyKey: input.idempotencyKey,
      metadata: input.metadata,
      offSession: true,
    });
  }

  /** The PaymentIntent as it is now; an authorization past its captureBefore shows as canceled. */
  async retrieve(paymentId: string): Promise<PaymentIntentView> {
    let row = await this.prisma.simulatedPaymentIntent.findUnique({ where: { id: paymentId } });
    if (!row) throw noSuchPaymentIntent(paymentId);
    if (isLapsed(row, this.now())) {
      // Guarded on the status, so a capture that won the race is never overwritten.
      await this.prisma.simulatedPaymentIntent.updateMany({
        where: { id: paymentId, status: 'requires_capture' },
        data: toPatchData(LAPSE),
      });
      row = await this.prisma.simulatedPaymentIntent.findUniqueOrThrow({ where: { id: paymentId } });
    }
    return toView(row, this.publicBaseUrl);
  }

  /** The oldest PaymentIntent whose metadata names this workflow and attempt (see PaymentProvider). */
  async findIntent({ workflowId, attempt }: IntentLookup): Promise<PaymentIntentView | null> {
    const row = await this.prisma.simulatedPaymentIntent.findFirst({
      where: {
        AND: [
          { metadata: { path: ['workflowId'], equals: workflowId } },
          { metadata: { path: ['attempt'], equals: attempt } },
        ],
      },
      orderBy: { createdAt: 'asc' },
      select: { id: true },
    });
    return row ? this.retrieve(row.id) : null;
  }

  /** Captures part or all of the hold and releases the rest; refused once the authorization lapsed. */
  async capture(input: { paymentId: string; amountCents: number; idempotencyKey: string }): Promise<PaymentIntentView> {
    assertKey(input.idempotencyKey);
    assertAmount(input.amountCents, 'amount_to_capture');
    const request = fingerprint('capture', { paymentId: input.paymentId, amount: input.amountCents });
    const response = await this.once(input.idempotencyKey, request, (tx) =>
      this.transition(tx, input.paymentId, (row) => decideCapture(row, input.amountCents, this.now())),
    );
    return unwrapIntent(response);
  }

  /** Voids the authorization (or abandons a PaymentIntent still waiting for a payment method or action). */
  async cancel(input: { paymentId: string; idempotencyKey: string }): Promise<PaymentIntentView> {
    assertKey(input.idempotencyKey);
    const request = fingerprint('cancel', { paymentId: input.paymentId });
    const response = await this.once(input.idempotencyKey, request, (tx) =>
      this.transition(tx, input.paymentId, (row) => decideCancel(row, this.now())),
    );
    return unwrapIntent(response);
  }

  /** Refunds part of what was captured; simulated refunds succeed at once. */
  async refund(input: { paymentId: string; amountCents: number; idempotencyKey: string }): Promise<RefundView> {
    assertKey(input.idempotencyKey);
    assertAmount(input.amountCents, 'amount');
    const request = fingerprint('refund', { paymentId: input.paymentId, amount: input.amountCents });
    const response = await this.once(input.idempotencyKey, request, async (tx): Promise<StoredResponse> => {
      const row = await lockIntent(tx, input.paymentId);
      const decision = decideRefund(row, input.amountCents);
      if (decision.refusal) return { kind: 'error', error: decision.refusal };
      await tx.simulatedPaymentIntent.update({ where: { id: row.id }, data: toPatchData(decision.patch ?? {}) });
      const refund: RefundView = {
        id: `re_sim_${randomBase62(24)}`,
        paymentId: row.id,
        amount: input.amountCents,
        // pm_card_refundFail: the refund is pending, and fails when next looked at (retrieveRefund).
        status: row.paymentMethod === 'pm_card_refundFail' ? 'pending' : 'succeeded',
        failureReason: null,
      };
      return { kind: 'refund', refund };
    });
    return unwrapRefund(response);
  }

  /** A refund by id, read from the idempotency record that holds it (see the file comment). */
  async retrieveRefund(refundId: string): Promise<RefundView> {
    return this.prisma.$transaction(async (tx) => {
      const record = await tx.simulatedIdempotencyKey.findFirst({
        where: { response: { path: ['refund', 'id'], equals: refundId } },
      });
      if (!record) throw new PaymentRequestError('resource_missing', `No such refund: '${refundId}'`);
      const refund = unwrapRefund(record.response as unknown as StoredResponse);
      if (refund.status !== 'pending') return refund;
      // A pending refund (pm_card_refundFail) fails: the money was never returned, so it is
      // refundable again, as when Stripe reports refund.failed.
      const row = await lockIntent(tx, refund.paymentId);
      await tx.simulatedPaymentIntent.update({
        where: { id: row.id },
        data: { amountRefunded: row.amountRefunded - refund.amount },
      });
      const failed: RefundView = { ...refund, status: 'failed', failureReason: 'expired_or_canceled_card' };
      const stored: StoredResponse = { kind: 'refund', refund: failed };
      await tx.simulatedIdempotencyKey.update({
        where: { key: record.key },
        data: { response: stored as unknown as Prisma.InputJsonValue },
      });
      return failed;
    }, TRANSACTION_OPTIONS);
  }

  /**
   * Stands in for the customer completing (or failing) 3-D Secure on the simulated page; not part of
   * PaymentProvider, since with Stripe the customer authenticates with Stripe directly.
   */
  async authenticate(paymentId: string, outcome: 'succeed' | 'fail'): Promise<PaymentIntentView> {
    const response = await this.prisma.$transaction(
      (tx) => this.transition(tx, paymentId, (row) => decideAuthentication(row, outcome, this.now(), this.validityMs)),
      TRANSACTION_OPTIONS,
    );
    return unwrapIntent(response);
  }

  /** Locks the row, decides from what it holds now, writes the change, and answers (refusals included). */
  private async transition(tx: Tx, paymentId: string, decide: (row: Row) => Decision): Promise<StoredResponse> {
    const row = await lockIntent(tx, paymentId);
    const { patch, refusal } = decide(row);
    const updated = patch
      ? await tx.simulatedPaymentIntent.update({ where: { id: row.id }, data: toPatchData(patch) })
      : row;
    return refusal
      ? { kind: 'error', error: refusal }
      : { kind: 'payment_intent', paymentIntent: toView(updated, this.publicBaseUrl) };
  }

  /**
   * Runs a mutating call once per idempotency key, as Stripe does: the first call executes and its
   * answer (a refusal included) is stored; a retry with the same request gets that stored answer; a
   * different request under the same key is refused. The key row is inserted first, in the same
   * transaction as the work: its primary key makes a concurrent duplicate wait for the first to commit
   * and then read its answer, so two racing retries can never create two PaymentIntents. An exception
   * thrown by `execute` (an unknown resource) rolls everything back and leaves the key unused.
   */
  private async once(
    key: string,
    request: string,
    execute: (tx: Tx) => Promise<StoredResponse>,
  ): Promise<StoredResponse> {
    return this.prisma.$transaction(async (tx) => {
      const claimed = await tx.$queryRaw<{ key: string }[]>`
        INSERT INTO simulated_idempotency_keys (key, request, response)
        VALUES (${key}, ${request}, ${PENDING_RESPONSE}::jsonb)
        ON CONFLICT (key) DO NOTHING
        RETURNING key`;
      if (claimed.length === 0) {
        const stored = await tx.simulatedIdempotencyKey.findUniqueOrThrow({ where: { key } });
        if (stored.request !== request) {
          throw new PaymentRequestError(
            'idempotency_key_reused',
            `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
          );
        }
        return stored.response as unknown as StoredResponse;
      }
      const response = await execute(tx);
      await tx.simulatedIdempotencyKey.update({
        where: { key },
        data: { response: response as unknown as Prisma.InputJsonValue },
      });
      return response;
    }, TRANSACTION_OPTIONS);
  }
}

/** Takes the row lock first, so racing captures, cancels and refunds on one PaymentIntent run one at a time. */
async function lockIntent(tx: Tx, paymentId: string): Promise<Row> {
  const locked = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM simulated_payment_intents WHERE id = ${paymentId} FOR UPDATE`;
  if (locked.length === 0) throw noSuchPaymentIntent(paymentId);
  // Read after the lock: under READ COMMITTED this statement sees what the previous holder committed.
  return tx.simulatedPaymentIntent.findUniqueOrThrow({ where: { id: paymentId } });
}
