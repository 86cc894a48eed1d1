import {
  continueAsNew,
  getExternalWorkflowHandle,
  patched,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  getImportProgressQuery,
  type CatalogImportInput,
  type CatalogImportProgress,
} from '../contracts/catalog-import.contract.js';
import { stockArrivedSignal } from '../contracts/order.contract.js';
import { ImportStatus } from '../contracts/search-attributes.js';
import { HEARTBEAT_TIMEOUT, workflowId } from '../contracts/temporal.js';
import { summarizedActivities } from './activities.js';
import { PATCH_IMPORT_CONTINUES_AS_NEW } from './patches.js';

const { applyCatalogImportBatch, ordersWaitingFor } = summarizedActivities({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  // Each batch only sets values, so a retry after a crash re-applies it harmlessly.
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds' },
});

/** Bulk price and stock import, batch by batch, with progress an operator can watch. */
export async function catalogImportWorkflow(input: CatalogImportInput): Promise<CatalogImportProgress> {
  const progress: CatalogImportProgress = input.progress ?? {
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
  if (!input.progress) upsertSearchAttributes([{ key: ImportStatus, value: 'running' }]);

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
    // Ten thousand rows that restock many products would grow one run's history past Temporal's
    // warning: a long import goes on in a new run with its progress and the rows left.
    const info = workflowInfo();
    const left = input.rows.slice(start + input.batchSize);
    const long = info.continueAsNewSuggested || info.historyLength >= (input.historyEventsPerRun ?? 2_000);
    if (left.length > 0 && long && patched(PATCH_IMPORT_CONTINUES_AS_NEW)) {
      return continueAsNew<typeof catalogImportWorkflow>({ ...input, rows: left, progress });
    }
  }

  progress.status = 'completed';
  progress.finishedAt = new Date().toISOString();
  upsertSearchAttributes([{ key: ImportStatus, value: 'completed' }]);
  return progress;
}
