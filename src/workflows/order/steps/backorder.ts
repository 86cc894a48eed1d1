import { condition } from '@temporalio/workflow';
import { linesIn, setLine, transition } from '../../../domain/order.js';
import { PATCH_PICKING_IN_ONE_STEP, PATCH_STOCK_NEWS_KEPT } from '../../patches.js';
import { now, remaining } from '../clock.js';
import { type Ending } from '../ending.js';
import { type OrderRun } from '../run.js';
import { continueAsNewIfLong } from './continue-as-new.js';
import { holdStock } from './hold-stock.js';
import { step } from './step.js';
import { keepAuthorizationAlive, renewAt } from './reauthorize.js';

const skusOf = (run: OrderRun) =>
  linesIn(run.state, 'backordered')
    .map((l) => l.sku)
    .join(', ');

/**
 * Stock: backordered lines wait, the durable "reminder" of the older designs. Each retries its
 * hold every BACKORDER_RETRY_INTERVAL, or at once when stock for it arrives (a restock, an
 * operator). After MAX_BACKORDER_WAIT the lines still waiting are cancelled: the rest ships, or
 * the order is cancelled when nothing is left. A hold that would lapse meanwhile is renewed. A
 * long wait continues as new (a run that did resumes here, the customer already told).
 */
export async function awaitStock(run: OrderRun): Promise<Ending | undefined> {
  if (linesIn(run.state, 'backordered').length > 0) {
    // Stock news arriving since the holds were tried (even while the customer is being told, or
    // while a retry pass runs) triggers another pass at once, not after the timer.
    let seenStock = run.stockNudges;
    if (!run.input.carried) {
      run.state = transition(run.state, 'backordered', now(), `Waiting for stock: ${skusOf(run)}`);
      await run.notify(
        'order_backordered',
        'Part of your order is waiting for stock; we will ship as soon as it arrives.',
        { skus: linesIn(run.state, 'backordered').map((l) => l.sku) },
      );
      await run.publish();
      seenStock = run.patched(PATCH_STOCK_NEWS_KEPT) ? run.stockNewsBeforeHolds : run.stockNudges;
    }
    const deadline = Date.parse(run.state.placedAt) + run.policy.maxBackorderWaitMs;
    while (linesIn(run.state, 'backordered').length > 0) {
      await run.publish();
      const cancelled = await continueAsNewIfLong(run);
      if (cancelled) return cancelled;
      await condition(
        () => run.stockNudges !== seenStock || run.cancelRequest !== null,
        Math.min(run.policy.backorderRetryIntervalMs, remaining(deadline), remaining(renewAt(run))),
        { summary: `Backorder: try ${skusOf(run)} again (or when stock arrives)` },
      );
      if (run.cancelRequest) return { kind: 'cancelled', reason: run.cancelRequest };
      const lapsed = await keepAuthorizationAlive(run);
      if (lapsed) return lapsed;
      seenStock = run.stockNudges;
      for (const line of linesIn(run.state, 'backordered')) await holdStock(run, line);
      if (linesIn(run.state, 'backordered').length === 0) break;
      if (Date.now() >= deadline) {
        const ending = await giveUpWaiting(run);
        if (ending) return ending;
      }
    }
  }
  run.state = transition(run.state, 'reserved', now(), 'All stock held');
  // Picking follows at once and writes the next summary (with this milestone in its timeline).
  if (!run.patched(PATCH_PICKING_IN_ONE_STEP)) await run.publish();
  return undefined;
}

/** MAX_BACKORDER_WAIT passed: the lines still waiting are cancelled, and the customer told. */
async function giveUpWaiting(run: OrderRun): Promise<Ending | undefined> {
  const waiting = linesIn(run.state, 'backordered');
  for (const line of waiting) {
    run.state = setLine(run.state, line.productId, 'cancelled', now(), 'backorder_timeout');
    await step(run, `Ending the backorder wait for ${line.sku}`, ({ db }) =>
      db.removeBackorderWait(`Stop waiting for ${line.sku}: waited too long`, {
        orderId: run.state.id,
        productId: line.productId,
      }),
    );
  }
  if (linesIn(run.state, 'held').length === 0)
    return {
      kind: 'cancelled',
      reason: 'backorder_timeout',
      message: 'The products did not come back in stock in time.',
    };
  await run.notify(
    'order_lines_cancelled',
    `We could not get ${waiting.map((l) => l.name).join(', ')} in time; the rest of your order ships and you pay only for what ships.`,
    { skus: waiting.map((l) => l.sku) },
  );
  return undefined;
}
