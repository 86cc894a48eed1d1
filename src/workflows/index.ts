/** The workflow bundle's entry: every workflow type the worker registers. */
export { catalogImportWorkflow } from './catalog-import.workflow.js';
export { cartWorkflow } from './cart.workflow.js';
export { orderWorkflow } from './order/order.workflow.js';
export { restockWorkflow } from './restock.workflow.js';
export { drainWorkflow } from './drain.workflow.js';
