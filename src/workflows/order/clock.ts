/** Workflow time: Date is deterministic inside a workflow (the time of the current task). */
export const now = () => new Date().toISOString();

/** Milliseconds until a deadline, at least 1 (a timer of 0 would not be a timer). */
export const remaining = (deadline: number) => Math.max(1, deadline - Date.now());
