/* global console, process, setTimeout */
// Reproduces the worker crash "async hook stack has become corrupted" after SIGCONT, with Node alone.
//
// The Temporal SDK runs workflow code in a vm context with microtaskMode 'afterEvaluate' and a
// timeout (isolateExecutionTimeout). The vm watchdog measures wall-clock time, so a process stopped
// while such a script runs finds its timeout expired on SIGCONT; the watchdog then terminates the
// script inside a microtask, which leaves an async context on Node's stack that is never popped, and
// the next timer callback aborts the process (nodejs/node#38503).
//
//   node scripts/repro/vm-timeout-after-sigcont.mjs &
//   sleep 1; kill -STOP $!; sleep 7; kill -CONT $!
//
// Not stopped, it prints "finished" twice and exits 0; stopped for longer than the 5 s timeout while
// the microtask runs, it prints "caught: ERR_SCRIPT_EXECUTION_TIMEOUT", then Node's
// "async hook stack has become corrupted" and aborts.
import { AsyncLocalStorage } from 'node:async_hooks';
import vm from 'node:vm';

const storage = new AsyncLocalStorage(); // async hooks on, as in the SDK's workflow context
const context = vm.createContext({ Date }, { microtaskMode: 'afterEvaluate' });
console.log(`pid ${process.pid}: stop me within a second, for longer than 5 s`);
setTimeout(() => {
  storage.run({}, () => {
    try {
      // A workflow activation's microtask that takes 3 s of wall time (the window to be stopped in).
      vm.runInContext(
        'Promise.resolve().then(() => { const t = Date.now(); while (Date.now() - t < 3000) {} })',
        context,
        { timeout: 5000 },
      );
      console.log('finished');
    } catch (err) {
      console.log(`caught: ${err.code ?? err.message}`);
    }
  });
  setTimeout(() => console.log('finished, and the process lives on'), 500);
}, 300);
