import { WorkflowType } from './temporal.js';

/**
 * Ready-made visibility queries for operators: paste them into the Web UI's search box or give them
 * to `temporal workflow list --query`. The README lists them as printed by `npm run queries`; a
 * test runs each against a real server, so a query that stopped working would fail the build.
 */
export interface OperatorQuery {
  name: string;
  description: string;
  query: string;
}

/** Whole seconds, as visibility queries compare them: 2026-11-21T09:00:00Z. */
const at = (date: Date) => `${date.toISOString().slice(0, 19)}Z`;

function startOfUtcDay(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

export function operatorQueries(now = new Date()): OperatorQuery[] {
  const order = `WorkflowType="${WorkflowType.order}"`;
  const cart = `WorkflowType="${WorkflowType.cart}"`;
  return [
    {
      name: 'backordered',
      description: 'every order waiting for stock',
      query: `${order} AND OrderStatus="backordered"`,
    },
    {
      name: 'unpaid-for-an-hour',
      description: 'orders placed over an hour ago and still waiting for payment',
      query: `${order} AND OrderStatus="awaiting_payment" AND StartTime < "${at(new Date(now.getTime() - 3_600_000))}"`,
    },
    {
      name: 'abandoned-today',
      description: 'carts abandoned today (UTC)',
      query: `${cart} AND CartStatus="abandoned" AND CloseTime >= "${at(startOfUtcDay(now))}"`,
    },
    {
      name: 'needs-an-operator',
      description:
        'orders flagged for an operator: a step stopped (payment, database, compensation), a failed refund, a dispute',
      query: `${order} AND OrderFlags IN ("payment_stuck", "step_failed", "compensation_stuck", "refund_failed", "disputed")`,
    },
    {
      name: 'retrying',
      description: 'orders whose step has been retrying for longer than STEP_ALERT_AFTER (it resumes by itself)',
      query: `${order} AND OrderFlags = "step_retrying"`,
    },
    {
      name: 'waiting-for-sku',
      description: 'orders waiting for one SKU (replace HOM-000001)',
      query: `${order} AND BackorderedSkus="HOM-000001"`,
    },
    {
      name: 'big-orders',
      description: 'open orders over 500 (in the shop currency)',
      query: `${order} AND ExecutionStatus="Running" AND OrderTotal > 500`,
    },
  ];
}
