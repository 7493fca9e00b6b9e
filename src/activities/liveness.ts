/** @module Heartbeats that say only "this worker is alive", for activities on the `fillflow` queue that do not
 * heartbeat for themselves: with a heartbeat timeout on them, a fill whose worker died mid-activity retries it on
 * another worker within that timeout, not at the end of its start-to-close timeout (minutes). */
import { Context } from '@temporalio/activity';

/** Well under the heartbeat timeout fillTemplate sets on these activities (LIGHT_HEARTBEAT_TIMEOUT). */
export const LIVENESS_BEAT_MS = 5_000;

/** `fn`, beating every {@link LIVENESS_BEAT_MS} while it runs (outside an activity, or in a local one, it just runs). */
export function beatingWhileRunning<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    const context = regularActivity();
    if (!context) return fn(...args);
    const beat = setInterval(() => context.heartbeat(), LIVENESS_BEAT_MS);
    try {
      return await fn(...args);
    } finally {
      clearInterval(beat);
    }
  };
}

/** The running activity's context, unless it is a local activity (no heartbeats) or there is none. */
function regularActivity(): Context | undefined {
  try {
    const context = Context.current();
    return context.info.isLocal ? undefined : context;
  } catch {
    return undefined;
  }
}
