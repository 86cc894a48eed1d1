import { getCatalogItems } from '../db/catalog.store.js';
import { enqueueNotification } from '../db/notifications.store.js';
import type { PrismaClient } from '../db/prisma.js';
import type { CatalogItem } from '../domain/cart.js';

export interface CartActivityDeps {
  prisma: PrismaClient;
}

export interface CartReminderInput {
  cartId: string;
  customerId: string | null;
  email: string | null;
  itemCount: number;
  totalCents: number;
  currency: string;
  /** The idle period this reminder is for: one reminder per period, whatever the retries. */
  idleSince: string;
}

/** Cart activities: catalog lookups for pricing, and the idle-cart reminder. */
export function createCartActivities({ prisma }: CartActivityDeps) {
  return {
    /** Names, prices, vendors and stock from the catalog: never from the client. */
    async lookupCatalogItems({ productIds }: { productIds: string[] }): Promise<CatalogItem[]> {
      return getCatalogItems(prisma, productIds);
    },

    /** Writes the "your cart is waiting" message to the outbox, once per idle period. */
    async sendCartReminder(input: CartReminderInput): Promise<{ written: boolean }> {
      const written = await enqueueNotification(prisma, {
        dedupeKey: `cart_reminder:${input.cartId}:${input.idleSince}`,
        kind: 'cart_reminder',
        subjectId: input.cartId,
        recipient: input.email,
        payload: {
          cartId: input.cartId,
          customerId: input.customerId,
          itemCount: input.itemCount,
          totalCents: input.totalCents,
          currency: input.currency,
          idleSince: input.idleSince,
        },
      });
      return { written };
    },
  };
}
