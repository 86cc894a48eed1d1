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
  rows: CatalogImportRow[];
  batchSize: number;
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
