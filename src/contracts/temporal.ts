/** Names shared by the API (client side) and the worker: workflow types and workflow ids. */

export const WorkflowType = {
  catalogImport: 'catalogImportWorkflow',
  cart: 'cartWorkflow',
  order: 'orderWorkflow',
  restock: 'restockWorkflow',
} as const;

/**
 * Every activity heartbeats while it runs (src/activities/heartbeats.ts) and every workflow gives
 * its activities this heartbeat timeout: a worker killed mid-activity is noticed this soon and the
 * activity retried elsewhere, instead of after its whole start-to-close timeout.
 */
export const HEARTBEAT_TIMEOUT = '10 seconds';

export const workflowId = {
  catalogImport: (importId: string) => `import-${importId}`,
  cart: (cartId: string) => `cart-${cartId}`,
  order: (orderId: string) => `order-${orderId}`,
  /** One restock per SKU at a time: the id is the guard. */
  restock: (sku: string) => `restock-${sku}`,
};
