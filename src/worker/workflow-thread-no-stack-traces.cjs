'use strict';
/**
 * Preloaded (`--require`) into the SDK's workflow threads only, when WORKFLOW_STACK_TRACES=off (see
 * workflow-stack-traces.ts): the SDK then never installs its promise hook, exactly as on a runtime
 * without promise hooks, and a workflow's stack trace query answers "Workflow stack traces are not
 * enabled on this worker". Node's own hook (AsyncLocalStorage, used by cancellation scopes) is not
 * touched. If the SDK's internals are not as @temporalio/worker 1.24 has them, it changes nothing
 * and warns: stack traces stay on.
 */
const path = require('node:path');

try {
  const sdkLib = path.dirname(require.resolve('@temporalio/worker'));
  const { globalHandlers } = require(path.join(sdkLib, 'workflow', 'vm-shared.js'));
  if (
    globalHandlers &&
    typeof globalHandlers.setPromiseHook === 'function' &&
    globalHandlers.installed === false &&
    globalHandlers.promiseHookInstalled === false
  ) {
    globalHandlers.setPromiseHook = function promiseHookLeftOff() {};
  } else {
    process.emitWarning('WORKFLOW_STACK_TRACES=off: the SDK is not as expected; workflow stack traces stay on');
  }
} catch (error) {
  process.emitWarning(`WORKFLOW_STACK_TRACES=off could not be applied (${error}); workflow stack traces stay on`);
}
