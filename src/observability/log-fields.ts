import { workflowId } from '../contracts/temporal.js';

/** The business ids a log line can carry as fields, so one order's or cart's lines can be found. */
export interface LogIds {
  orderId?: string;
  cartId?: string;
  sku?: string;
  importId?: string;
  productId?: string;
  paymentId?: string;
}

type IdField = keyof LogIds;

// Built from the id functions themselves, so a prefix can never drift from the ids the code makes.
const WORKFLOW_ID_PREFIXES: readonly (readonly [prefix: string, field: IdField])[] = [
  [workflowId.order(''), 'orderId'],
  [workflowId.cart(''), 'cartId'],
  [workflowId.restock(''), 'sku'],
  [workflowId.catalogImport(''), 'importId'],
];

/** Ids are logged, not trusted: anything longer than this is cut (a route param is at most 100). */
const MAX_ID_LENGTH = 128;

/** `order-<id>` → `{ orderId }`, `cart-<id>` → `{ cartId }`, `restock-<sku>` → `{ sku }`, `import-<id>` → `{ importId }`. */
export function idsFromWorkflowId(id: unknown): LogIds {
  if (typeof id !== 'string') return {};
  for (const [prefix, field] of WORKFLOW_ID_PREFIXES) {
    if (id.length > prefix.length && id.startsWith(prefix))
      return { [field]: id.slice(prefix.length, prefix.length + MAX_ID_LENGTH) };
  }
  return {};
}

/** What a route's `:id` names, by the path segment before it (`/api/orders/:id` → orderId). */
const ID_PARAM_BY_RESOURCE: Readonly<Record<string, IdField>> = {
  orders: 'orderId',
  carts: 'cartId',
  products: 'productId',
  imports: 'importId',
  'simulated-payments': 'paymentId',
};

/** Route params that already carry their own name. */
const NAMED_PARAMS: readonly IdField[] = ['orderId', 'cartId', 'productId', 'sku'];

/**
 * The ids in a request, from its route pattern (`/api/carts/:id/items/:productId`) and its params:
 * `{ cartId, productId }`. Unmatched requests (no pattern) carry none.
 */
export function idsFromRoute(routePattern: string | undefined, params: unknown): LogIds {
  if (!routePattern || typeof params !== 'object' || params === null) return {};
  const values = params as Record<string, unknown>;
  const ids: LogIds = {};
  const resource = /\/([a-z-]+)\/:id(?:\/|$)/.exec(routePattern)?.[1];
  const idField = resource === undefined ? undefined : ID_PARAM_BY_RESOURCE[resource];
  if (idField && typeof values.id === 'string') ids[idField] = values.id.slice(0, MAX_ID_LENGTH);
  for (const field of NAMED_PARAMS) {
    const value = values[field];
    if (typeof value === 'string') ids[field] = value.slice(0, MAX_ID_LENGTH);
  }
  return ids;
}
