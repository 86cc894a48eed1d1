/** The corpus's drain path: a read model's projector applying the journal, nudged, continued as new. */
import { WorkflowType } from '../../src/contracts/temporal.js';
import type { DrainWorkflowInput } from '../../src/workflows/drain.workflow.js';
import { orderReaches, placeOrder, until, type Scenario } from './kit.js';

export const drainScenarios: Scenario[] = [
  {
    name: 'a projector following the journal',
    async run(ctx) {
      // The journal has something to apply: an order's milestones and its shipped lines.
      const [p] = ctx.products(1);
      const orderId = await placeOrder(ctx, [{ productId: p!.id, quantity: 1 }], 'pm_card_visa');
      await orderReaches(ctx, orderId, 'shipped', (o) => o.status === 'shipped' || o.status === 'delivered');
      const workflowId = 'projector-popular-items';
      const input: DrainWorkflowInput = { drain: 'popular-items', batch: 50, idleMs: 300, roundsPerRun: 6 };
      const handle = await ctx.client.workflow.start(WorkflowType.drain, {
        workflowId,
        taskQueue: ctx.taskQueue,
        args: [input],
      });
      await handle.signal('nudge');
      const firstRunId = handle.firstExecutionRunId;
      await until(
        'the projector to continue as new',
        () => ctx.client.workflow.getHandle(workflowId).describe(),
        (d) => d.runId !== firstRunId,
      );
      await ctx.client.workflow.getHandle(workflowId).terminate('recorded');
      return [
        {
          file: 'drain-continued-as-new.json',
          covers:
            'A projector (popular-items) applying journal batches, nudged, sleeping when caught up, continued as new.',
          workflowId,
          runId: firstRunId,
          closedAs: 'CONTINUED_AS_NEW',
        },
      ];
    },
  },
];
