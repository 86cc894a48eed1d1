import { allHandlersFinished, condition } from '@temporalio/workflow';
import { transition } from '../../../domain/order.js';
import { now } from '../clock.js';
import { type Ending } from '../ending.js';
import { type OrderRun } from '../run.js';
import { refundsSettled } from './refunds.js';

/**
 * On its way, delivered, then open for refunds (returns) until RETURN_WINDOW closes; a refund
 * still pending is followed to its end. The shop may cancel all along (refunding everything).
 */
export async function deliver(run: OrderRun): Promise<Ending | undefined> {
  const forceCancelled = () => run.forceCancel !== null;
  if (await condition(forceCancelled, run.policy.shippingMs, { summary: 'On its way to the customer' }))
    return { kind: 'refundAll' };
  run.state = transition(run.state, 'delivered', now(), 'Delivered');
  await run.notify('order_delivered', 'Your order was delivered.');
  await run.publish();

  if (await condition(forceCancelled, run.policy.returnWindowMs, { summary: 'Return window: refunds allowed' }))
    return { kind: 'refundAll' };
  await condition(() => allHandlersFinished() || forceCancelled());
  if (forceCancelled()) return { kind: 'refundAll' };
  run.closing = true;
  await refundsSettled(run);
  return undefined;
}
