import type { PrismaClient } from './prisma.js';

export const restockSteps = ['requested', 'ordered', 'in_transit', 'received'] as const;
export type RestockStep = (typeof restockSteps)[number];

export interface RestockView {
  id: string;
  productId: string;
  sku: string;
  quantity: number;
  status: RestockStep;
  steps: { step: RestockStep; at: string }[];
  requestedBy: string | null;
  createdAt: string;
  receivedAt: string | null;
}

/** Records that a restock reached a step; recording the same step again changes nothing. */
export async function recordRestockStep(
  prisma: PrismaClient,
  input: {
    restockId: string;
    productId: string;
    sku: string;
    quantity: number;
    requestedBy: string | null;
    step: RestockStep;
    at: string;
  },
): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const existing = await tx.restockRequest.findUnique({ where: { id: input.restockId } });
    const steps = (existing?.steps as RestockView['steps'] | undefined) ?? [];
    if (steps.some((s) => s.step === input.step)) return;
    const next = [...steps, { step: input.step, at: input.at }];
    const data = { status: input.step, steps: next, receivedAt: input.step === 'received' ? new Date(input.at) : null };
    if (existing) await tx.restockRequest.update({ where: { id: input.restockId }, data });
    else {
      await tx.restockRequest.create({
        data: {
          id: input.restockId,
          productId: input.productId,
          sku: input.sku,
          quantity: input.quantity,
          requestedBy: input.requestedBy,
          ...data,
        },
      });
    }
  });
}

/** Restocks, newest first, with their steps; optionally one product's or one status's. */
export async function listRestocks(
  prisma: PrismaClient,
  filter: { sku?: string; status?: RestockStep; limit: number },
): Promise<RestockView[]> {
  const rows = await prisma.restockRequest.findMany({
    where: { sku: filter.sku, status: filter.status },
    orderBy: { createdAt: 'desc' },
    take: filter.limit,
  });
  return rows.map((r) => ({
    id: r.id,
    productId: r.productId,
    sku: r.sku,
    quantity: r.quantity,
    status: r.status as RestockStep,
    steps: r.steps as RestockView['steps'],
    requestedBy: r.requestedBy,
    createdAt: r.createdAt.toISOString(),
    receivedAt: r.receivedAt?.toISOString() ?? null,
  }));
}
