import { getExternalWorkflowHandle, setCurrentDetails, sleep, workflowInfo } from '@temporalio/workflow';
import { stockArrivedSignal, type RestockWorkflowInput } from '../contracts/order.contract.js';
import { HEARTBEAT_TIMEOUT, workflowId } from '../contracts/temporal.js';
import type { RestockStep } from '../db/restocks.store.js';
import { summarizedActivities } from './activities.js';

const db = summarizedActivities({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds' },
});

/**
 * One restock of one SKU (`restock-<sku>`: one at a time per SKU), the RestockRequest actor of the
 * older design on durable timers: requested → ordered from the supplier → in transit → received.
 * Receiving adds the restock quantity to stock on hand, once, then wakes every order waiting for it.
 * Started by an order as a child that outlives it (parent-close policy ABANDON).
 */
export async function restockWorkflow(input: RestockWorkflowInput): Promise<{ restockId: string; woke: number }> {
  const restockId = workflowInfo().runId;
  const step = (name: RestockStep) => {
    setCurrentDetails(`**${input.quantity} × ${input.sku}**: ${name.replace('_', ' ')}`);
    return db.recordRestockStep(`Restock ${input.sku}: ${name.replace('_', ' ')}`, {
      restockId,
      productId: input.productId,
      sku: input.sku,
      quantity: input.quantity,
      requestedBy: input.requestedBy,
      step: name,
      at: new Date().toISOString(),
    });
  };

  await step('requested');
  await sleep(input.stepMs, { summary: `Order ${input.sku} from the supplier` });
  await step('ordered');
  await sleep(input.stepMs, { summary: 'Supplier ships' });
  await step('in_transit');
  await sleep(input.stepMs, { summary: 'In transit to the warehouse' });
  await db.receiveStock(`Add ${input.quantity} × ${input.sku} to stock on hand`, {
    restockId,
    productId: input.productId,
    quantity: input.quantity,
  });
  await step('received');

  let woke = 0;
  const waiting = await db.ordersWaitingFor(`Orders waiting for ${input.sku}`, { productId: input.productId });
  for (const orderId of waiting) {
    try {
      await getExternalWorkflowHandle(workflowId.order(orderId)).signal(stockArrivedSignal, {
        productId: input.productId,
      });
      woke++;
    } catch {
      // The order ended meanwhile (cancelled, timed out): nobody to wake.
    }
  }
  return { restockId, woke };
}
