import { Context } from '@temporalio/activity';

/** How often a running activity tells Temporal it is alive: well inside HEARTBEAT_TIMEOUT (contracts/temporal.ts). */
const EVERY_MS = 2_000;

type AnyActivity = (...args: never[]) => Promise<unknown>;

/**
 * Every activity of `activities`, heartbeating every 2 s while it runs (the SDK throttles what it
 * sends). Outside an activity (a test calling it directly) it just runs.
 */
export function withHeartbeats<T extends Record<string, AnyActivity>>(activities: T): T {
  return Object.fromEntries(
    Object.entries(activities).map(([name, activity]) => [
      name,
      async (...args: never[]) => {
        let context: Context | undefined;
        try {
          context = Context.current();
        } catch {
          return activity(...args);
        }
        const timer = setInterval(() => context.heartbeat(), EVERY_MS);
        try {
          return await activity(...args);
        } finally {
          clearInterval(timer);
        }
      },
    ]),
  ) as T;
}
