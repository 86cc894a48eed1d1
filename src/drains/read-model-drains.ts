import type { PrismaClient } from '../db/prisma.js';
import { projectBatch } from '../db/projections.js';
import { READ_MODELS } from '../db/read-models/index.js';
import type { Drain } from './drain.js';

/** Every read model as a drain: a batch is `projectBatch`, exactly once in one transaction. */
export function readModelDrains(prisma: PrismaClient): Map<string, Drain> {
  return new Map(
    [...READ_MODELS.values()].map((model) => [
      model.name,
      { runBatch: async (limit: number) => ({ applied: (await projectBatch(prisma, model, limit)).applied }) },
    ]),
  );
}
