/** Names shared by the API (client side) and the worker: workflow types and workflow ids. */

export const WorkflowType = {
  catalogImport: 'catalogImportWorkflow',
} as const;

export const workflowId = {
  catalogImport: (importId: string) => `import-${importId}`,
};
