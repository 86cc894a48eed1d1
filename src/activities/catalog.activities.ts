import type {
  CatalogImportBatchResult,
  CatalogImportFailure,
  CatalogImportRow,
} from '../contracts/catalog-import.contract.js';
import { setInventory } from '../db/catalog.store.js';
import type { PrismaClient } from '../db/prisma.js';
import { DomainError, ErrorCode } from '../domain/errors.js';

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
    async applyCatalogImportBatch({ rows }: { rows: CatalogImportRow[] }): Promise<CatalogImportBatchResult> {
      const products = await prisma.product.findMany({
        where: { sku: { in: rows.map((r) => r.sku) } },
        select: { id: true, sku: true, inventory: { select: { restockThreshold: true, restockQuantity: true } } },
      });
      const bySku = new Map(products.map((p) => [p.sku, p]));
      const failed: CatalogImportFailure[] = [];
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
          if (!(err instanceof DomainError)) throw err; // transient: let Temporal retry the batch
          failed.push({ sku: row.sku, code: err.code, message: err.message });
        }
      }
      return { updated, failed, restocked };
    },
  };
}
