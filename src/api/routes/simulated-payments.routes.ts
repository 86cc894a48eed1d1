import formbody from '@fastify/formbody';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { SimulatedPaymentProvider } from '../../payments/simulated-provider.js';
import type { OrderGateway } from '../orders/order-gateway.js';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import { PaymentRequestError } from '../../payments/provider.js';
import { errors } from '../schemas/common.js';

const Params = Type.Object({ id: Type.String({ pattern: '^pi_sim_[A-Za-z0-9]{1,64}$' }) });

/** A page for the shopper's browser; errors are JSON like everywhere else. */
const HtmlPage = { description: 'An HTML page', content: { 'text/html': { schema: Type.String() } } };

/** The provider's refusals as answers: an unknown payment is a 404, one in the wrong state a 409. */
async function answered<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof PaymentRequestError)) throw err;
    if (err.code === 'resource_missing') throw new DomainError(ErrorCode.PaymentNotFound, err.message);
    throw new DomainError(ErrorCode.PaymentNotExpected, err.message);
  }
}

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}button{font:inherit;padding:.6rem 1.2rem;margin-right:.5rem}</style>
</head><body>${body}</body></html>`;

/**
 * The simulated provider's stand-in for a bank's 3-D Secure page (only when no Stripe key is set):
 * the payment's next action points here; approving or failing tells the order, as a webhook would.
 */
export const simulatedPaymentRoutes: FastifyPluginAsyncTypebox<{
  payments: SimulatedPaymentProvider;
  orders: OrderGateway;
}> = async (app, { payments, orders }) => {
  const tags = ['simulated payments'];
  // The page's buttons post forms, as a bank's page would: the only routes that take one.
  await app.register(formbody);

  app.get(
    '/simulated-payments/:id/authenticate',
    {
      schema: {
        tags,
        summary: 'The simulated 3-D Secure page',
        params: Params,
        response: { 200: HtmlPage, ...errors(400, 404) },
      },
    },
    async (request, reply) => {
      const intent = await answered(() => payments.retrieve(request.params.id));
      const amount = `${(intent.amount / 100).toFixed(2)} ${intent.currency.toUpperCase()}`;
      const action = `/simulated-payments/${intent.id}/authenticate/form`;
      return reply.type('text/html').send(
        page(
          'Confirm your payment',
          `<h1>Confirm your payment</h1><p>Simulated 3-D Secure for a payment of <strong>${amount}</strong>. This page stands in for your bank's.</p>` +
            (intent.status === 'requires_action'
              ? `<form method="post" action="${action}"><input type="hidden" name="outcome" value="succeed"><button>Approve</button></form>
                 <form method="post" action="${action}"><input type="hidden" name="outcome" value="fail"><button>Fail authentication</button></form>`
              : `<p>Nothing to confirm: this payment is ${intent.status.replaceAll('_', ' ')}.</p>`),
        ),
      );
    },
  );

  /** Authenticates and tells the order, as a webhook would. */
  async function authenticate(paymentId: string, outcome: 'succeed' | 'fail') {
    const intent = await answered(() => payments.authenticate(paymentId, outcome));
    const orderId = intent.metadata.orderId ?? null;
    if (orderId)
      await orders.paymentEvent(
        orderId,
        intent.id,
        outcome === 'succeed' ? 'payment_intent.amount_capturable_updated' : 'payment_intent.payment_failed',
      );
    return { paymentId: intent.id, status: intent.status, orderId };
  }

  const Outcome = Type.Object({ outcome: Type.Enum(['succeed', 'fail']) }, { additionalProperties: false });

  app.post(
    '/simulated-payments/:id/authenticate',
    {
      schema: {
        tags,
        summary: 'Complete (or fail) simulated 3-D Secure',
        params: Params,
        body: Outcome,
        response: {
          200: Type.Object({
            paymentId: Type.String(),
            status: Type.String(),
            orderId: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors(400, 404, 409, 422),
        },
      },
    },
    async (request) => authenticate(request.params.id, request.body.outcome),
  );

  // The page's buttons post a form here and get a page back.
  app.post(
    '/simulated-payments/:id/authenticate/form',
    {
      schema: {
        tags,
        summary: 'The simulated 3-D Secure page posts here',
        params: Params,
        body: Outcome,
        response: { 200: HtmlPage, ...errors(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const { orderId } = await authenticate(request.params.id, request.body.outcome);
      const done = request.body.outcome === 'succeed' ? 'Payment confirmed.' : 'Authentication failed.';
      return reply
        .type('text/html')
        .send(page(done, `<h1>${done}</h1><p><a href="/?order=${orderId ?? ''}">Back to the shop</a></p>`));
    },
  );
};
