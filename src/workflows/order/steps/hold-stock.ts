import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { workflowId } from '../../../contracts/temporal.js';
import { formatDuration } from '../../../domain/duration.js';
import { linesIn, setLine, type OrderLine } from '../../../domain/order.js';
import { describeRestockRequest } from '../../../domain/order-description.js';
import { restockWorkflow } from '../../restock.workflow.js';
import { step } from './step.js';
import { now } from '../clock.js';
import { type OrderRun } from '../run.js';

interface Hold {
  held: boolean;
  available: number;
  restockThreshold: number;
  restockQuantity: number;
  sku: string;
}

/**
 * Holds one line's units, all or nothing. Held: its release goes on the saga. Not held: the line
 * waits as backordered (on the list restocks read), and that wait goes on the saga instead. Either
 * way, stock left low asks for a restock.
 */
export async function holdStock(run: OrderRun, line: OrderLine): Promise<void> {
  // After a lapse the line is held anew: a later hold number, which the lapsed reservation does not answer.
  const lapsed = run.lapsedHolds.get(line.productId) ?? 0;
  const hold: Hold = await step(run, `Holding ${line.quantity} × ${line.sku}`, ({ db }) =>
    db.holdStock(`Hold ${line.quantity} × ${line.sku}`, {
      orderId: run.state.id,
      productId: line.productId,
      quantity: line.quantity,
      ...(lapsed > 0 && { holdNo: lapsed + 1 }),
    }),
  );
  if (hold.held) {
    const wasWaiting = line.status === 'backordered';
    run.state = setLine(run.state, line.productId, 'held', now());
    run.saga.push({ kind: 'release', productId: line.productId, sku: line.sku, quantity: line.quantity });
    if (wasWaiting) {
      await step(run, `Ending the backorder wait for ${line.sku}`, ({ db }) =>
        db.removeBackorderWait(`Stop waiting for ${line.sku}: held`, {
          orderId: run.state.id,
          productId: line.productId,
        }),
      );
    }
  } else if (line.status === 'pending') {
    run.state = setLine(run.state, line.productId, 'backordered', now());
    await step(run, `Backordering ${line.sku}`, ({ db }) =>
      db.addBackorderWait(`Wait for ${line.quantity} × ${line.sku} (backordered)`, {
        orderId: run.state.id,
        productId: line.productId,
        quantity: line.quantity,
      }),
    );
    run.saga.push({ kind: 'stopWaiting', productId: line.productId, sku: line.sku });
  }
  await restockAfter(run, line, hold);
}

/** What a hold leaves to do: stock left low asks for a restock (once the order is paid for, when holds lapse unpaid). */
export async function restockAfter(run: OrderRun, line: OrderLine, hold: Hold): Promise<void> {
  // Demand that is not paid for yet asks for no restock: it may lapse (see releaseUnpaidHolds).
  if (run.unpaidHoldsLapse && run.state.payment.step !== 'authorized')
    run.deferredRestocks.set(line.productId, () => askForRestock(run, line, hold));
  else await askForRestock(run, line, hold);
}

/**
 * UNPAID_HOLD_TIMEOUT passed with no authorized payment: every held line's units go back to stock
 * (the line waits as `pending`), so an order nobody pays for cannot sit on the shop's stock until
 * the pay-by deadline. The order still waits for its payment.
 */
export async function releaseUnpaidHolds(run: OrderRun): Promise<void> {
  for (const line of linesIn(run.state, 'held')) {
    await releaseHold(run, line);
    run.lapsedHolds.set(line.productId, (run.lapsedHolds.get(line.productId) ?? 0) + 1);
    run.saga.drop((u) => u.kind === 'release' && u.productId === line.productId);
    run.state = setLine(run.state, line.productId, 'pending', now());
  }
  await run.publish();
}

/** Paid for: the lines whose holds lapsed are held again (or backordered), and deferred restocks asked. */
export async function holdPaidDemand(run: OrderRun): Promise<void> {
  if (!run.unpaidHoldsLapse) return;
  for (const line of linesIn(run.state, 'pending')) {
    if (run.cancelRequest) return;
    await holdStock(run, line);
  }
  for (const ask of run.deferredRestocks.values()) await ask();
  run.deferredRestocks.clear();
}

/** Undo of a hold: the units go back to stock. */
export function releaseHold(
  run: OrderRun,
  { productId, sku, quantity }: { productId: string; sku: string; quantity: number },
) {
  return step(
    run,
    `Releasing ${quantity} × ${sku}`,
    ({ db }) => db.releaseStock(`Release ${quantity} × ${sku}`, { orderId: run.state.id, productId }),
    { compensation: true },
  );
}

/** Undo of a backorder wait: off the list restocks read. */
export function stopWaiting(run: OrderRun, { productId, sku }: { productId: string; sku: string }) {
  return step(
    run,
    `Ending the backorder wait for ${sku}`,
    ({ db }) => db.removeBackorderWait(`Stop waiting for ${sku}`, { orderId: run.state.id, productId }),
    { compensation: true },
  );
}

/** One restock per SKU at a time (the child's id is the guard); it outlives this order. */
async function askForRestock(run: OrderRun, line: OrderLine, hold: Hold): Promise<void> {
  if (hold.restockThreshold <= 0 || hold.restockQuantity <= 0 || hold.available >= hold.restockThreshold) return;
  if (run.restocksAsked.has(line.productId)) return;
  run.restocksAsked.add(line.productId);
  try {
    await startChild(restockWorkflow, {
      workflowId: workflowId.restock(hold.sku),
      args: [
        {
          productId: line.productId,
          sku: hold.sku,
          quantity: hold.restockQuantity,
          requestedBy: run.state.id,
          stepMs: run.policy.restockStepMs,
        },
      ],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      staticSummary: `Restock ${hold.restockQuantity} × ${hold.sku}`,
      staticDetails: describeRestockRequest({
        sku: hold.sku,
        productName: line.name,
        quantity: hold.restockQuantity,
        requestedBy: run.state.id,
        available: hold.available,
        threshold: hold.restockThreshold,
        stepDuration: formatDuration(run.policy.restockStepMs),
      }),
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
