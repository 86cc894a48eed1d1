/** Names shared by the API (client side) and the worker: workflow types and workflow ids. */

export const WorkflowType = {
  catalogImport: 'catalogImportWorkflow',
  cart: 'cartWorkflow',
  order: 'orderWorkflow',
  restock: 'restockWorkflow',
  drain: 'drainWorkflow',
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
  /** One singleton per drain: `projector-<read model>`, `projector-kafka-relay`, `sender-notifications`. */
  drain: (name: string) => (name === NOTIFICATIONS_DRAIN ? 'sender-notifications' : `projector-${name}`),
};

/** The drain that mails the notification outbox (the others follow the journal). */
export const NOTIFICATIONS_DRAIN = 'notifications';
/** The drain that publishes the journal to Kafka. */
export const KAFKA_RELAY_DRAIN = 'kafka-relay';
