import { defineQuery } from '@temporalio/workflow';
import type { ErrorCode } from '../domain/errors.js';

/** One line of a bulk price/stock import: by SKU, any of the fields to set. */
export interface CatalogImportRow {
  sku: string;
  priceCents?: number;
  onHand?: number;
}

export interface CatalogImportInput {
  importId: string;
  /** The rows still to apply (in a run that continued as new, those the runs before left). */
  rows: CatalogImportRow[];
  batchSize: number;
  /** A run continues as new once its history has this many events (absent: 2,000). */
  historyEventsPerRun?: number;
  /** Set when a run continues as new: the progress so far. */
  progress?: CatalogImportProgress;
}

export interface CatalogImportFailure {
  sku: string;
  code: ErrorCode;
  message: string;
}

export type CatalogImportStatus = 'running' | 'completed';

export interface CatalogImportProgress {
  importId: string;
  status: CatalogImportStatus;
  total: number;
  processed: number;
  updated: number;
  failed: CatalogImportFailure[];
  startedAt: string;
  finishedAt: string | null;
}

export interface CatalogImportBatchResult {
  updated: number;
  failed: CatalogImportFailure[];
  /** Products whose stock on hand went up: orders waiting for them are woken. */
  restocked: string[];
}

export const MAX_IMPORT_ROWS = 10_000;

/** The import's progress so far; answers while it runs and after it completes. */
export const getImportProgressQuery = defineQuery<CatalogImportProgress>('getImportProgress');
