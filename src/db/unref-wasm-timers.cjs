// Preloaded (node -r) into `prisma migrate deploy` only. Prisma 6.19's WASM schema engine arms a
// 10 s timer (a lock timeout) that is still pending when the command has finished, so the process
// lingers 10 s after "All migrations have been successfully applied". Timers created from WASM are
// unref'd: they still fire while the process has work, but no longer keep a finished one alive.
const originalSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = function setTimeoutUnrefFromWasm(callback, ms, ...args) {
  const timer = originalSetTimeout.call(this, callback, ms, ...args);
  if (ms >= 1000 && new Error().stack?.includes('wasm://')) timer.unref();
  return timer;
};
