import { getExternalWorkflowHandle, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import { stockArrivedSignal, type RestockWorkflowInput } from '../contracts/order.contract.js';
import { workflowId } from '../contracts/temporal.js';
import type { RestockStep } from '../db/restocks.store.js';

type Activities = ReturnType<typeof createActivities>;

const db = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * One restock of one SKU (`restock-<sku>`: one at a time per SKU), the RestockRequest actor of the
 * older design on durable timers: requested → ordered from the supplier → in transit → received.
 * Receiving adds the restock quantity to stock on hand, once, then wakes every order waiting for it.
 * Started by an order as a child that outlives it (parent-close policy ABANDON).
 */
export async function restockWorkflow(input: RestockWorkflowInput): Promise<{ restockId: string; woke: number }> {
  const restockId = workflowInfo().runId;
  const step = (name: RestockStep) =>
    db.recordRestockStep({
      restockId,
      productId: input.productId,
      sku: input.sku,
      quantity: input.quantity,
      requestedBy: input.requestedBy,
      step: name,
      at: new Date().toISOString(),
    });

  await step('requested');
  await sleep(input.stepMs);
  await step('ordered');
  await sleep(input.stepMs);
  await step('in_transit');
  await sleep(input.stepMs);
  await db.receiveStock({ restockId, productId: input.productId, quantity: input.quantity });
  await step('received');

  let woke = 0;
  for (const orderId of await db.ordersWaitingFor({ productId: input.productId })) {
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
