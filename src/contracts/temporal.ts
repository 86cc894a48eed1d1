/** Names shared by the API (client side) and the worker: workflow types and workflow ids. */

export const WorkflowType = {
  catalogImport: 'catalogImportWorkflow',
  cart: 'cartWorkflow',
  order: 'orderWorkflow',
  restock: 'restockWorkflow',
} as const;

export const workflowId = {
  catalogImport: (importId: string) => `import-${importId}`,
  cart: (cartId: string) => `cart-${cartId}`,
  order: (orderId: string) => `order-${orderId}`,
  /** One restock per SKU at a time: the id is the guard. */
  restock: (sku: string) => `restock-${sku}`,
};
