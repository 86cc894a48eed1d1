/** Names shared by the API (client side) and the worker: workflow types and workflow ids. */

export const WorkflowType = {
  catalogImport: 'catalogImportWorkflow',
  cart: 'cartWorkflow',
} as const;

export const workflowId = {
  catalogImport: (importId: string) => `import-${importId}`,
  cart: (cartId: string) => `cart-${cartId}`,
};
