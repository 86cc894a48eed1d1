import { getExternalWorkflowHandle, setCurrentDetails, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import {
  getImportProgressQuery,
  type CatalogImportInput,
  type CatalogImportProgress,
} from '../contracts/catalog-import.contract.js';
import { stockArrivedSignal } from '../contracts/order.contract.js';
import { ImportStatus } from '../contracts/search-attributes.js';
import { workflowId } from '../contracts/temporal.js';
import { summarizedActivities } from './activities.js';

const { applyCatalogImportBatch, ordersWaitingFor } = summarizedActivities({
  startToCloseTimeout: '2 minutes',
  // Each batch only sets values, so a retry after a crash re-applies it harmlessly.
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** Bulk price and stock import, batch by batch, with progress an operator can watch. */
export async function catalogImportWorkflow(input: CatalogImportInput): Promise<CatalogImportProgress> {
  const progress: CatalogImportProgress = {
    importId: input.importId,
    status: 'running',
    total: input.rows.length,
    processed: 0,
    updated: 0,
    failed: [],
    startedAt: new Date().toISOString(),
    finishedAt: null,
  };
  setHandler(getImportProgressQuery, () => progress);
  upsertSearchAttributes([{ key: ImportStatus, value: 'running' }]);

  for (let start = 0; start < input.rows.length; start += input.batchSize) {
    const batch = input.rows.slice(start, start + input.batchSize);
    const result = await applyCatalogImportBatch(
      `Apply rows ${start + 1}–${start + batch.length} of ${input.rows.length}`,
      {
        rows: batch,
      },
    );
    progress.processed += batch.length;
    progress.updated += result.updated;
    progress.failed.push(...result.failed);
    // More stock: orders waiting for it try to hold it now, not at their next retry.
    for (const productId of result.restocked) {
      for (const orderId of await ordersWaitingFor(`Orders waiting for product ${productId}`, { productId })) {
        await getExternalWorkflowHandle(workflowId.order(orderId))
          .signal(stockArrivedSignal, { productId })
          .catch(() => undefined); // an order that ended meanwhile has nothing to wake
      }
    }
    setCurrentDetails(`**${progress.processed} / ${progress.total}** rows processed, ${progress.failed.length} failed`);
  }

  progress.status = 'completed';
  progress.finishedAt = new Date().toISOString();
  upsertSearchAttributes([{ key: ImportStatus, value: 'completed' }]);
  return progress;
}
