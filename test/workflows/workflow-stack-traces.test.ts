/**
 * WORKFLOW_STACK_TRACES: the SDK's per-promise stack traces in workflows are off unless a worker is
 * started with them (they cost a third of the worker's CPU for a cart change; see
 * src/worker/workflow-stack-traces.ts). Off, workflows run as ever and the stack trace query says so.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CartWorkflowInput } from '../../src/contracts/cart.contract.js';
import { WorkflowType, workflowId } from '../../src/contracts/temporal.js';
import { startTestStack, type TestStack } from '../helpers/app.js';
import { newCart } from '../helpers/orders.js';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';

describe('workflow stack traces (WORKFLOW_STACK_TRACES)', () => {
  let stack: TestStack;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await stack?.close();
  });

  it('are off by default: a cart takes its changes, and its stack trace query answers that they are off', async () => {
    const product = await stack.db.prisma.product.findFirstOrThrow({
      where: { inventory: { onHand: { gte: 10 } } },
      select: { id: true },
    });
    const id = await newCart(stack);
    for (const quantity of [1, 3]) {
      const res = await stack.http(`/api/carts/${id}/items`, {
        method: 'POST',
        json: { productId: product.id, quantity },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    expect((await stack.http(`/api/carts/${id}`)).body).toMatchObject({ itemCount: 4 });
    await expect(stack.client.workflow.getHandle(workflowId.cart(id)).query('__stack_trace')).rejects.toThrow(
      /stack traces are not enabled/,
    );
  });

  it('are collected by a worker started with WORKFLOW_STACK_TRACES=on: the query shows where the workflow waits', async () => {
    const taskQueue = `stack-traces-${randomUUID()}`;
    workers.push(await startWorkerProcess(stack, { WORKFLOW_STACK_TRACES: 'on', TASK_QUEUE: taskQueue }));
    const cartId = randomUUID();
    const input: CartWorkflowInput = {
      cartId,
      currency: stack.config.currency,
      customerId: null,
      email: null,
      timeouts: { idleTimeoutMs: 3_600_000, abandonAfterMs: 7_200_000 },
      repriceAfterMs: stack.config.cart.repriceAfterMs,
      maxUpdatesPerRun: stack.config.cart.maxUpdatesPerRun,
    };
    const handle = await stack.client.workflow.start(WorkflowType.cart, {
      taskQueue,
      workflowId: workflowId.cart(cartId),
      args: [input],
    });
    try {
      expect(await handle.query<string>('__stack_trace')).toMatch(/cartWorkflow/);
    } finally {
      await handle.terminate('test over');
    }
  });
});
