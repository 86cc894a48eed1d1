import { pathToFileURL } from 'node:url';
import { loadConfigOrExit } from '../src/config.js';
import { createPrisma, type PrismaClient } from '../src/db/prisma.js';
import { buildCatalogSeed } from './seed-data.js';

/** Inserts the demo catalog into an empty database; a catalog that already has products is left alone. */
export async function seedCatalog(prisma: PrismaClient): Promise<{ seeded: boolean; products: number }> {
  const { vendors, collections, products } = buildCatalogSeed();
  const collectionIds = new Map(collections.map((c) => [c.slug, c.id]));
  return prisma.$transaction(
    async (tx) => {
      // Two processes starting together (say `npm start` and `npm run db:seed`) must not both find the
      // table empty: the second waits here, then sees the first one's products.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('seed-catalog'))`;
      const existing = await tx.product.count();
      if (existing > 0) return { seeded: false, products: existing };

      await tx.vendor.createMany({ data: vendors });
      await tx.collection.createMany({ data: collections });
      await tx.product.createMany({
        data: products.map((p) => ({
          id: p.id,
          sku: p.sku,
          name: p.name,
          description: p.description,
          priceCents: p.priceCents,
          currency: p.currency,
          category: p.category,
          vendorId: p.vendorId,
          createdAt: p.createdAt,
          updatedAt: p.createdAt,
        })),
      });
      await tx.productCollection.createMany({
        data: products.flatMap((p) =>
          p.collectionSlugs.map((slug) => ({ productId: p.id, collectionId: collectionIds.get(slug) ?? '' })),
        ),
      });
      await tx.inventory.createMany({ data: products.map((p) => ({ productId: p.id, ...p.inventory })) });
      // The opening balance of the stock ledger: on hand is always the sum of a product's movements.
      await tx.stockMovement.createMany({
        data: products
          .filter((p) => p.inventory.onHand > 0)
          .map((p) => ({ productId: p.id, delta: p.inventory.onHand, kind: 'initial', ref: `initial:${p.id}` })),
      });
      return { seeded: true, products: products.length };
    },
    // The default 5 s budget includes waiting for the lock above, which a concurrent seed may hold.
    { timeout: 30_000 },
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const config = loadConfigOrExit();
  const prisma = createPrisma(config.databaseUrl, 2);
  try {
    const result = await seedCatalog(prisma);
    console.log(
      result.seeded
        ? `Seeded ${result.products} products.`
        : `Catalog already has ${result.products} products; nothing to seed.`,
    );
  } finally {
    await prisma.$disconnect();
  }
}
