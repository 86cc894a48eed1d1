import { randomUUID } from 'node:crypto';
import { availableStock, type InventoryView } from '../domain/catalog.js';
import { DomainError, ErrorCode } from '../domain/errors.js';
import type { Prisma, PrismaClient } from './prisma.js';

/**
 * Stock, conserved under retries, crashes and concurrency. Each operation is one transaction whose
 * guard sits in the SQL itself (never read-then-write), keyed by order and product so a retry finds
 * its earlier effect instead of repeating it. Every change of stock on hand is also written to
 * `stock_movements`, so on hand always equals the sum of its movements (npm run check:invariants).
 */

type Tx = Prisma.TransactionClient;

interface InventoryRow {
  on_hand: number;
  reserved: number;
  restock_threshold: number;
  restock_quantity: number;
}

export interface HoldResult {
  held: boolean;
  sku: string;
  /** Available after this hold (or now, when it could not be held). */
  available: number;
  restockThreshold: number;
  restockQuantity: number;
}

async function inventoryRow(tx: Tx, productId: string): Promise<InventoryRow & { sku: string }> {
  const [row] = await tx.$queryRaw<(InventoryRow & { sku: string })[]>`
    SELECT i.on_hand, i.reserved, i.restock_threshold, i.restock_quantity, p.sku
    FROM inventory i JOIN products p ON p.id = i.product_id WHERE i.product_id = ${productId}::uuid`;
  if (!row) throw new DomainError(ErrorCode.ProductNotFound, `no stock record for product ${productId}`);
  return row;
}

/**
 * Holds `quantity` units for an order line, all or nothing: the units leave `available` and a
 * reservation is written, in one transaction. A second call for the same order and product answers
 * from the reservation and holds nothing more.
 */
export function holdStock(prisma: PrismaClient, input: HoldInput): Promise<HoldResult> {
  return againIfRaced(() => holdOnce(prisma, input));
}

/**
 * Runs a keyed transaction once more when it lost a race on its key: another attempt of the same
 * step (a worker resumed after its retry began) wrote the reservation first, and this transaction
 * rolled back whole; the second pass reads that attempt's effect.
 */
export async function againIfRaced<T>(transaction: () => Promise<T>): Promise<T> {
  try {
    return await transaction();
  } catch (err) {
    if (isUniqueViolation(err)) return transaction();
    throw err;
  }
}

/** A unique key already taken (SQLSTATE 23505), in the shapes Prisma's pg adapter and pg throw. */
function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== null && typeof e === 'object' && depth < 6; depth++) {
    const f = e as { code?: unknown; cause?: unknown; meta?: { driverAdapterError?: { cause?: unknown } } };
    const cause = (f.cause ?? f.meta?.driverAdapterError?.cause) as
      { originalCode?: unknown; kind?: unknown } | undefined;
    if (f.code === 'P2002' || f.code === '23505') return true;
    if (cause?.originalCode === '23505' || cause?.kind === 'UniqueConstraintViolation') return true;
    e = f.cause ?? f.meta?.driverAdapterError?.cause;
  }
  return false;
}

/**
 * One line's hold. `holdNo` (1 unless said) counts the holds of the line: a hold that lapsed unpaid
 * is released, and the same line held again once paid is hold 2. A reservation with that number or
 * a higher one already answers for this hold (an attempt retried, or arriving late): nothing changes.
 */
export interface HoldInput {
  orderId: string;
  productId: string;
  quantity: number;
  holdNo?: number;
}

function holdOnce(prisma: PrismaClient, input: HoldInput): Promise<HoldResult> {
  return prisma.$transaction((tx) => holdInTransaction(tx, input));
}

/** holdStock's work inside a transaction the caller owns (placement holds every line in one). */
export async function holdInTransaction(tx: Tx, input: HoldInput): Promise<HoldResult> {
  const { orderId, productId, quantity } = input;
  const holdNo = input.holdNo ?? 1;
  const [existing] = await tx.$queryRaw<{ status: string; hold_no: number }[]>`
    SELECT status, hold_no FROM reservations WHERE order_id = ${orderId} AND product_id = ${productId}::uuid
    FOR UPDATE`;
  if (existing && existing.hold_no < holdNo && existing.status === 'released') {
    // Held again after a lapse: the same row, taken anew (left as it was when stock is short, so
    // the backorder's retries of this hold try again).
    const [updated] = await tx.$queryRaw<InventoryRow[]>`
      UPDATE inventory SET reserved = reserved + ${quantity}, updated_at = now()
      WHERE product_id = ${productId}::uuid AND on_hand - reserved >= ${quantity}
      RETURNING on_hand, reserved, restock_threshold, restock_quantity`;
    if (updated)
      await tx.$executeRaw`UPDATE reservations SET status = 'held', quantity = ${quantity}, hold_no = ${holdNo},
        updated_at = now() WHERE order_id = ${orderId} AND product_id = ${productId}::uuid`;
    const row = await inventoryRow(tx, productId);
    return {
      held: Boolean(updated),
      sku: row.sku,
      available: availableStock(row.on_hand, row.reserved),
      restockThreshold: row.restock_threshold,
      restockQuantity: row.restock_quantity,
    };
  }
  if (existing) {
    const row = await inventoryRow(tx, productId);
    return {
      held: existing.status !== 'released',
      sku: row.sku,
      available: availableStock(row.on_hand, row.reserved),
      restockThreshold: row.restock_threshold,
      restockQuantity: row.restock_quantity,
    };
  }
  const [updated] = await tx.$queryRaw<InventoryRow[]>`
    UPDATE inventory SET reserved = reserved + ${quantity}, updated_at = now()
    WHERE product_id = ${productId}::uuid AND on_hand - reserved >= ${quantity}
    RETURNING on_hand, reserved, restock_threshold, restock_quantity`;
  const row = await inventoryRow(tx, productId);
  if (!updated) {
    return {
      held: false,
      sku: row.sku,
      available: availableStock(row.on_hand, row.reserved),
      restockThreshold: row.restock_threshold,
      restockQuantity: row.restock_quantity,
    };
  }
  // A concurrent attempt inserting the same reservation fails on the primary key, which rolls this
  // whole transaction back, inventory update included (never two holds for one line); holdStock
  // then reads the reservation the other attempt wrote.
  await tx.$executeRaw`INSERT INTO reservations (order_id, product_id, quantity, status, hold_no, updated_at)
    VALUES (${orderId}, ${productId}::uuid, ${quantity}, 'held', ${holdNo}, now())`;
  return {
    held: true,
    sku: row.sku,
    available: availableStock(updated.on_hand, updated.reserved),
    restockThreshold: updated.restock_threshold,
    restockQuantity: updated.restock_quantity,
  };
}

/** Gives a held line's units back to `available`. Releasing twice, or a line never held, does nothing. */
export async function releaseStock(
  prisma: PrismaClient,
  input: { orderId: string; productId: string },
): Promise<{ released: number }> {
  return prisma.$transaction(async (tx) => {
    const [hold] = await tx.$queryRaw<{ quantity: number }[]>`
      UPDATE reservations SET status = 'released', updated_at = now()
      WHERE order_id = ${input.orderId} AND product_id = ${input.productId}::uuid AND status = 'held'
      RETURNING quantity`;
    if (!hold) return { released: 0 };
    await tx.$executeRaw`UPDATE inventory SET reserved = reserved - ${hold.quantity}, updated_at = now() WHERE product_id = ${input.productId}::uuid`;
    return { released: hold.quantity };
  });
}

/**
 * Ships a held line: its units leave on hand and reserved together, and a shipment movement is
 * recorded. Shipping twice does nothing more; shipping a line that is not held is refused.
 */
export async function shipStock(
  prisma: PrismaClient,
  input: { orderId: string; productId: string },
): Promise<{ shipped: number }> {
  const { orderId, productId } = input;
  return prisma.$transaction(async (tx) => {
    const [hold] = await tx.$queryRaw<{ quantity: number }[]>`
      UPDATE reservations SET status = 'shipped', updated_at = now()
      WHERE order_id = ${orderId} AND product_id = ${productId}::uuid AND status = 'held'
      RETURNING quantity`;
    if (!hold) {
      const [current] = await tx.$queryRaw<{ status: string; quantity: number }[]>`
        SELECT status, quantity FROM reservations WHERE order_id = ${orderId} AND product_id = ${productId}::uuid`;
      if (current?.status === 'shipped') return { shipped: current.quantity };
      throw new DomainError(
        ErrorCode.StockNotHeld,
        `order ${orderId} holds no stock of ${productId} to ship (${current?.status ?? 'never held'})`,
      );
    }
    await tx.$executeRaw`UPDATE inventory SET on_hand = on_hand - ${hold.quantity}, reserved = reserved - ${hold.quantity}, updated_at = now()
      WHERE product_id = ${productId}::uuid`;
    await tx.$executeRaw`INSERT INTO stock_movements (product_id, delta, kind, ref)
      VALUES (${productId}::uuid, ${-hold.quantity}, 'shipment', ${`shipment:${orderId}:${productId}`})`;
    return { shipped: hold.quantity };
  });
}

/** Adds a received restock to on hand, once per restock however often it is retried. */
export async function receiveStock(
  prisma: PrismaClient,
  input: { restockId: string; productId: string; quantity: number },
): Promise<{ received: boolean }> {
  return prisma.$transaction(async (tx) => {
    const inserted = await tx.$executeRaw`INSERT INTO stock_movements (product_id, delta, kind, ref)
      VALUES (${input.productId}::uuid, ${input.quantity}, 'restock', ${`restock:${input.restockId}`}) ON CONFLICT (ref) DO NOTHING`;
    if (inserted === 0) return { received: false };
    await tx.$executeRaw`UPDATE inventory SET on_hand = on_hand + ${input.quantity}, updated_at = now() WHERE product_id = ${input.productId}::uuid`;
    return { received: true };
  });
}

/**
 * Sets a product's stock counts (admin, imports). On hand may not drop below what orders already
 * hold: that stock is promised, and taking it away would oversell. The row is locked for the check,
 * and the change is recorded as an adjustment movement.
 */
export async function setStock(
  prisma: PrismaClient,
  productId: string,
  input: { onHand: number; restockThreshold: number; restockQuantity: number },
): Promise<InventoryView & { increased: boolean }> {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`INSERT INTO inventory (product_id, on_hand, reserved, restock_threshold, restock_quantity, updated_at)
      VALUES (${productId}::uuid, 0, 0, 0, 0, now()) ON CONFLICT (product_id) DO NOTHING`;
    const [current] = await tx.$queryRaw<InventoryRow[]>`
      SELECT on_hand, reserved, restock_threshold, restock_quantity FROM inventory WHERE product_id = ${productId}::uuid FOR UPDATE`;
    if (!current) throw new DomainError(ErrorCode.ProductNotFound, `no product with id ${productId}`);
    if (input.onHand < current.reserved) {
      throw new DomainError(
        ErrorCode.StockBelowReserved,
        `onHand ${input.onHand} is below the ${current.reserved} units already reserved by orders`,
        { reserved: current.reserved },
      );
    }
    await tx.$executeRaw`UPDATE inventory SET on_hand = ${input.onHand}, restock_threshold = ${input.restockThreshold},
      restock_quantity = ${input.restockQuantity}, updated_at = now() WHERE product_id = ${productId}::uuid`;
    const delta = input.onHand - current.on_hand;
    if (delta !== 0) {
      await tx.$executeRaw`INSERT INTO stock_movements (product_id, delta, kind, ref)
        VALUES (${productId}::uuid, ${delta}, 'adjustment', ${`adjustment:${randomUUID()}`})`;
    }
    return {
      onHand: input.onHand,
      reserved: current.reserved,
      available: availableStock(input.onHand, current.reserved),
      restockThreshold: input.restockThreshold,
      restockQuantity: input.restockQuantity,
      increased: delta > 0,
    };
  });
}

/** Marks an order line as waiting for stock, so restocks know whom to wake. */
export async function addBackorderWait(
  prisma: Tx,
  input: { orderId: string; productId: string; quantity: number },
): Promise<void> {
  await prisma.backorderWait.createMany({ data: [input], skipDuplicates: true });
}

/** The line no longer waits (held, or cancelled). */
export async function removeBackorderWait(
  prisma: PrismaClient,
  input: { orderId: string; productId: string },
): Promise<void> {
  await prisma.backorderWait.deleteMany({ where: input });
}

/** Orders waiting for a product, oldest first. */
export async function ordersWaitingFor(prisma: PrismaClient, productId: string): Promise<string[]> {
  const waits = await prisma.backorderWait.findMany({
    where: { productId },
    orderBy: { createdAt: 'asc' },
    select: { orderId: true },
  });
  return waits.map((w) => w.orderId);
}
