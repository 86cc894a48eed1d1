import type {
  CatalogImportBatchResult,
  CatalogImportFailure,
  CatalogImportRow,
} from '../contracts/catalog-import.contract.js';
import { setInventory } from '../db/catalog.store.js';
import type { PrismaClient } from '../db/prisma.js';
import { DomainError, ErrorCode } from '../domain/errors.js';
import { safeText, textProblem } from '../domain/text.js';
import { permanentDatabaseError } from './failures.js';

export interface CatalogActivityDeps {
  prisma: PrismaClient;
}

/** Catalog activities: adapters from workflow steps to the catalog tables. */
export function createCatalogActivities({ prisma }: CatalogActivityDeps) {
  return {
    /**
     * Applies one batch of an import. Rows that break a rule (unknown SKU, stock below what is
     * reserved) are reported, not retried; each row only sets values, so re-running is harmless.
     */
    async applyCatalogImportBatch({ rows: given }: { rows: CatalogImportRow[] }): Promise<CatalogImportBatchResult> {
      const failed: CatalogImportFailure[] = [];
      // A row whose text no part of the shop can take fails alone, naming the field; it must not
      // reach a query, where it would fail the whole batch for ever.
      const rows = given.filter((row) => {
        const problem = typeof row.sku === 'string' ? textProblem(row.sku) : 'must be a string';
        if (problem)
          failed.push({ sku: safeText(String(row.sku)), code: ErrorCode.ValidationFailed, message: `sku ${problem}` });
        return !problem;
      });
      const products = await prisma.product.findMany({
        where: { sku: { in: rows.map((r) => r.sku) } },
        select: { id: true, sku: true, inventory: { select: { restockThreshold: true, restockQuantity: true } } },
      });
      const bySku = new Map(products.map((p) => [p.sku, p]));
      const restocked: string[] = [];
      let updated = 0;
      for (const row of rows) {
        const product = bySku.get(row.sku);
        if (!product) {
          failed.push({ sku: row.sku, code: ErrorCode.ProductNotFound, message: `no product with sku ${row.sku}` });
          continue;
        }
        try {
          if (row.priceCents !== undefined) {
            await prisma.product.update({ where: { id: product.id }, data: { priceCents: row.priceCents } });
          }
          if (row.onHand !== undefined) {
            const { increased } = await setInventory(prisma, product.id, {
              onHand: row.onHand,
              restockThreshold: product.inventory?.restockThreshold ?? 0,
              restockQuantity: product.inventory?.restockQuantity ?? 0,
            });
            if (increased) restocked.push(product.id);
          }
          updated++;
        } catch (err) {
          if (err instanceof DomainError) {
            failed.push({ sku: row.sku, code: err.code, message: err.message });
            continue;
          }
          // A row the database refuses for good fails alone; anything else is transient: the batch
          // is retried (each row only sets values, so re-applying the good ones is harmless).
          const refusal = permanentDatabaseError(err);
          if (!refusal) throw err;
          failed.push({ sku: row.sku, code: ErrorCode.DataRejected, message: refusal.message });
        }
      }
      return { updated, failed, restocked };
    },
  };
}
