import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { WorkflowNotFoundError } from '@temporalio/client';
import { Type } from 'typebox';
import {
  getImportProgressQuery,
  MAX_IMPORT_ROWS,
  type CatalogImportInput,
} from '../../contracts/catalog-import.contract.js';
import { WorkflowType, workflowId } from '../../contracts/temporal.js';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import { safeText } from '../../domain/text.js';
import type { AppDeps } from '../app.js';
import { adminSecurity, errors } from '../schemas/common.js';

const ImportRow = Type.Object(
  {
    sku: Type.String({ minLength: 1, maxLength: 64 }),
    priceCents: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
    onHand: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 })),
  },
  { additionalProperties: false, minProperties: 2 },
);

const ImportProgress = Type.Object(
  {
    importId: Type.String(),
    status: Type.Enum(['running', 'completed']),
    total: Type.Integer(),
    processed: Type.Integer(),
    updated: Type.Integer(),
    failed: Type.Array(Type.Object({ sku: Type.String(), code: Type.String(), message: Type.String() })),
    startedAt: Type.String({ format: 'date-time' }),
    finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { title: 'ImportProgress' },
);

const BATCH_SIZE = 100;

/** Bulk price and stock imports, each a Temporal workflow whose progress can be watched. */
export const adminImportRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, { temporal, config }) => {
  const tags = ['admin'];

  app.post(
    '/api/admin/imports',
    {
      // A bad row fails alone (with its reason, in the progress) and the good ones are applied.
      config: { textCheckedPerItem: ['rows'] },
      schema: {
        tags,
        security: adminSecurity,
        summary: 'Start a bulk price/stock import',
        description: `Up to ${MAX_IMPORT_ROWS} rows; each row names a SKU and the priceCents and/or onHand to set. Answers at once; follow statusUrl.`,
        body: Type.Object(
          { rows: Type.Array(ImportRow, { minItems: 1, maxItems: MAX_IMPORT_ROWS }) },
          { additionalProperties: false },
        ),
        response: {
          202: Type.Object({ importId: Type.String(), workflowId: Type.String(), statusUrl: Type.String() }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const importId = randomUUID();
      const input: CatalogImportInput = {
        importId,
        rows: request.body.rows,
        batchSize: BATCH_SIZE,
        historyEventsPerRun: config.order.historyEventsPerRun,
      };
      const id = workflowId.catalogImport(importId);
      const timely = <T>(fn: () => Promise<T>) =>
        temporal.connection.withDeadline(Date.now() + config.answerWithinMs, fn);
      await timely(() =>
        temporal.client.workflow.start(WorkflowType.catalogImport, {
          workflowId: id,
          taskQueue: config.temporal.taskQueue,
          args: [input],
          staticSummary: `Catalog import of ${input.rows.length} rows`,
          staticDetails: [
            `**Rows** ${input.rows.length} in batches of ${BATCH_SIZE}: ` +
              `${input.rows.filter((r) => r.priceCents !== undefined).length} set a price, ` +
              `${input.rows.filter((r) => r.onHand !== undefined).length} set stock on hand`,
            `**SKUs** ${input.rows
              .slice(0, 10)
              .map((r) => `\`${safeText(r.sku)}\``)
              .join(', ')}${input.rows.length > 10 ? `, and ${input.rows.length - 10} more` : ''}`,
          ].join('\n'),
        }),
      );
      const statusUrl = `/api/admin/imports/${importId}`;
      return reply.status(202).header('location', statusUrl).send({ importId, workflowId: id, statusUrl });
    },
  );

  app.get(
    '/api/admin/imports/:id',
    {
      schema: {
        tags,
        security: adminSecurity,
        summary: "An import's progress",
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: ImportProgress, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      try {
        return await temporal.connection.withDeadline(Date.now() + config.answerWithinMs, () =>
          temporal.client.workflow.getHandle(workflowId.catalogImport(request.params.id)).query(getImportProgressQuery),
        );
      } catch (err) {
        if (err instanceof WorkflowNotFoundError)
          throw new DomainError(ErrorCode.ImportNotFound, `no import ${request.params.id}`);
        throw err;
      }
    },
  );
};
