import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppDeps } from '../app.js';

const Check = Type.Object({
  ok: Type.Boolean(),
  latencyMs: Type.Integer(),
  error: Type.Optional(Type.String({ description: 'Why not, when not ok' })),
});
const Readiness = Type.Object({
  status: Type.Enum(['ready', 'degraded', 'unavailable'], {
    description:
      'ready: everything answers. degraded: the API can serve, but no worker polls the task queue (orders and carts answer 503 or from the read side). unavailable (503): PostgreSQL or Temporal does not answer.',
  }),
  checks: Type.Object({
    postgres: Check,
    temporal: Check,
    worker: Type.Intersect([Check, Type.Object({ pollers: Type.Integer({ description: 'Workers seen polling' }) })]),
  }),
});

const CHECK_TIMEOUT_MS = 2_000;
/** A live worker re-polls at least once a minute (a long poll lasts up to 60 s). */
const POLLER_SEEN_WITHIN_MS = 90_000;
/** TASK_QUEUE_TYPE_WORKFLOW in temporal.api.enums.v1.TaskQueueType. */
const WORKFLOW_TASK_QUEUE = 1;

/** An error's most useful words: its message, or what its cause says (a driver error may have no message). */
function describe(err: unknown): string {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const f = e as { message?: unknown; code?: unknown; kind?: unknown; cause?: unknown; name?: unknown };
    // Prisma's messages open with "Invalid `prisma.$queryRaw()` invocation:" and say what in a later line.
    const lines = [f.message, f.kind, f.code]
      .flatMap((v) => (typeof v === 'string' ? v.split('\n') : []))
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('Invalid `'));
    if (lines[0]) return lines[0];
    e = f.cause;
  }
  return err instanceof Error ? err.name : 'failed';
}

async function timed<T>(
  probe: () => Promise<T>,
): Promise<{ ok: boolean; latencyMs: number; error?: string; value?: T }> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const value = await Promise.race([
      probe(),
      new Promise<never>(
        (_, reject) =>
          (timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS)),
      ),
    ]);
    return { ok: true, latencyMs: Date.now() - started, value };
  } catch (err) {
    return { ok: false, latencyMs: Date.now() - started, error: describe(err) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Liveness (`/healthz`: the process answers) and readiness (`/readyz`: PostgreSQL and Temporal
 * answer, and whether any worker polls the task queue), each dependency named with a reason.
 */
export const healthRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, { prisma, temporal, config }) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        description: 'Liveness: the process answers. Never looks at dependencies (a restart would not mend them).',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        description:
          'Readiness: 200 ready or degraded (no worker polling: the API still serves the catalog and answers orders and carts within ANSWER_WITHIN), 503 unavailable when PostgreSQL or Temporal does not answer. Each check says why not.',
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_request, reply) => {
      const deadline = Date.now() + CHECK_TIMEOUT_MS;
      const [postgres, temporalCheck, pollers] = await Promise.all([
        timed(() => prisma.$queryRaw`SELECT 1`),
        timed(() => temporal.connection.withDeadline(deadline, () => temporal.connection.healthService.check({}))),
        timed(() =>
          temporal.connection.withDeadline(deadline, () =>
            temporal.client.workflowService.describeTaskQueue({
              namespace: config.temporal.namespace,
              taskQueue: { name: config.temporal.taskQueue },
              taskQueueType: WORKFLOW_TASK_QUEUE,
            }),
          ),
        ),
      ]);
      const recent = (pollers.value?.pollers ?? []).filter((p) => {
        const seconds = Number(p.lastAccessTime?.seconds ?? 0);
        return Date.now() - seconds * 1000 <= POLLER_SEEN_WITHIN_MS;
      }).length;
      const worker = {
        ok: pollers.ok && recent > 0,
        latencyMs: pollers.latencyMs,
        pollers: recent,
        ...(!pollers.ok
          ? { error: `cannot ask Temporal: ${pollers.error}` }
          : recent === 0
            ? {
                error: `no worker has polled task queue '${config.temporal.taskQueue}' in the last ${POLLER_SEEN_WITHIN_MS / 1000} s`,
              }
            : {}),
      };
      const strip = ({ ok, latencyMs, error }: { ok: boolean; latencyMs: number; error?: string }) => ({
        ok,
        latencyMs,
        ...(error ? { error } : {}),
      });
      const status = !postgres.ok || !temporalCheck.ok ? 'unavailable' : worker.ok ? 'ready' : 'degraded';
      return reply.status(status === 'unavailable' ? 503 : 200).send({
        status,
        checks: { postgres: strip(postgres), temporal: strip(temporalCheck), worker },
      });
    },
  );
};
