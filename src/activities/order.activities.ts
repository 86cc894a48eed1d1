import { appendJournal, type JournalInput } from '../db/journal.store.js';
import {
  addBackorderWait,
  holdStock,
  ordersWaitingFor,
  receiveStock,
  releaseStock,
  removeBackorderWait,
  shipStock,
  type HoldInput,
} from '../db/inventory.store.js';
import { enqueueNotification, type NotificationInput } from '../db/notifications.store.js';
import { saveOrderSummary } from '../db/orders.store.js';
import { placeOrder, type PlaceOrderInput, type PlaceOrderResult } from '../db/placement.store.js';
import type { Prisma, PrismaClient } from '../db/prisma.js';
import { recordRestockStep, type RestockStep } from '../db/restocks.store.js';
import type { OrderView } from '../domain/order.js';

export interface OrderActivityDeps {
  prisma: PrismaClient;
  /** Wakes the drains following the journal or the outbox (src/drains/singletons.ts), after a write. */
  nudge?: (topic: 'journal' | 'outbox') => void;
}

/** Stock, summaries, journal, notifications and restocks: the order's steps that touch Postgres. */
export function createOrderActivities({ prisma, nudge = () => undefined }: OrderActivityDeps) {
  return {
    /** Writes the order's summary for listing (only ever forward: see saveOrderSummary). */
    async recordOrderSummary(view: OrderView): Promise<void> {
      const { written } = await saveOrderSummary(prisma, view);
      if (written) nudge('journal');
    },

    /**
     * Writes the order's summary and, in the same statement, the message to the customer the step
     * sends with it (a step that both tells and shows: the warehouse picking).
     */
    async recordOrderStep({ view, message }: { view: OrderView; message: NotificationInput }): Promise<void> {
      const { written, told } = await saveOrderSummary(prisma, view, message);
      if (written) nudge('journal');
      if (told) nudge('outbox');
    },

    /**
     * Places the order in one transaction: priced, confirmed to the customer, every line held or
     * backordered, its summary written (see placement.store.ts).
     */
    async placeOrder(input: PlaceOrderInput): Promise<PlaceOrderResult> {
      const result = await placeOrder(prisma, input);
      if (result.wrote.summary) nudge('journal');
      if (result.wrote.confirmation) nudge('outbox');
      return result;
    },

    /** Holds a line's units, all or nothing; idempotent per order, product and hold number. */
    async holdStock(input: HoldInput) {
      return holdStock(prisma, input);
    },

    /** Compensation of holdStock: gives the units back. */
    async releaseStock(input: { orderId: string; productId: string }) {
      return releaseStock(prisma, input);
    },

    /** Takes a held line's units off the shelf (on hand and reserved go down together). */
    async shipStock(input: { orderId: string; productId: string }) {
      return shipStock(prisma, input);
    },

    /** Puts a backordered line on the waiting list restocks read. */
    async addBackorderWait(input: { orderId: string; productId: string; quantity: number }): Promise<void> {
      await addBackorderWait(prisma, input);
    },

    /** Compensation of addBackorderWait (and its end when the line is held). */
    async removeBackorderWait(input: { orderId: string; productId: string }): Promise<void> {
      await removeBackorderWait(prisma, input);
    },

    /** Orders waiting for a product, oldest first. */
    async ordersWaitingFor({ productId }: { productId: string }): Promise<string[]> {
      return ordersWaitingFor(prisma, productId);
    },

    /** Writes a message to the customer into the outbox, exactly once per dedupe key. */
    async notifyCustomer(
      input: Omit<NotificationInput, 'payload'> & { payload: Prisma.InputJsonObject },
    ): Promise<void> {
      if (await enqueueNotification(prisma, input)) nudge('outbox');
    },

    /** Writes an alert for the shop's operators (an order stopped at a step) to the outbox, once per key. */
    async alertOperators(
      input: Omit<NotificationInput, 'payload'> & { payload: Prisma.InputJsonObject },
    ): Promise<void> {
      if (await enqueueNotification(prisma, input)) nudge('outbox');
    },

    /** Appends events to the journal, exactly once each. */
    async appendJournal({ events }: { events: JournalInput[] }): Promise<void> {
      if ((await appendJournal(prisma, events)) > 0) nudge('journal');
    },

    /** Records a restock's step, once. */
    async recordRestockStep(input: {
      restockId: string;
      productId: string;
      sku: string;
      quantity: number;
      requestedBy: string | null;
      step: RestockStep;
      at: string;
    }): Promise<void> {
      await recordRestockStep(prisma, input);
    },

    /** Adds a received restock to stock on hand, once per restock. */
    async receiveStock(input: { restockId: string; productId: string; quantity: number }) {
      return receiveStock(prisma, input);
    },
  };
}
