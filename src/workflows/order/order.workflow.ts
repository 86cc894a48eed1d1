import type { OrderWorkflowInput } from '../../contracts/order.contract.js';
import type { OrderView } from '../../domain/order.js';
import { registerHandlers } from './handlers.js';
import { StoppedForCancel, type Ending } from './ending.js';
import { OrderRun } from './run.js';
import { authorize } from './steps/authorize.js';
import { awaitStock } from './steps/backorder.js';
import { end } from './steps/cancel.js';
import { captureAndShip, pick } from './steps/capture-and-ship.js';
import { deliver } from './steps/deliver.js';
import { place } from './steps/place.js';

/**
 * One customer order, from placement to delivery or cancellation: the Service Fabric shop's order
 * actor, made durable. Each step below either lets the order go on or says how it ends; whatever
 * a step took is on the run's saga, which a cancellation unwinds newest-first.
 */
export async function orderWorkflow(input: OrderWorkflowInput): Promise<OrderView> {
  const run = new OrderRun(input);
  registerHandlers(run);
  let ending: Ending | undefined;
  try {
    // A run that continued as new (a long backorder wait) was placed and paid for already.
    const fresh = !input.carried;
    ending =
      (fresh ? await place(run) : undefined) ?? // priced, recorded, confirmed; stock held or backordered line by line
      (fresh ? await authorize(run) : undefined) ?? // the whole amount held on the customer's card
      (await awaitStock(run)) ?? // every line held, or given up after MAX_BACKORDER_WAIT (continuing as new if long)
      (await pick(run)) ?? // picked in the warehouse
      (await captureAndShip(run)) ?? // captured what ships, off the shelf, journaled
      (await deliver(run)); // delivered, then the return window
  } catch (err) {
    // A payment step that stopped for an operator gives way to a cancellation by unwinding to here.
    if (!(err instanceof StoppedForCancel)) throw err;
    ending = { kind: 'cancelled', reason: run.cancelRequest ?? 'operator' };
  }
  return ending ? end(run, ending) : run.view();
}
