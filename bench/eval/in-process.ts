/** @module The product's activities run in this process, as a worker would run them but without Temporal:
 * each call inside its own MockActivityEnvironment (activity info, heartbeats, cancellation signal), a
 * retryable failure retried a few times, and a final failure handed back as the workflow would see it (an
 * ActivityFailure whose cause is the ApplicationFailure), so the workflow's own Extraction rounds read it
 * unchanged. Benchmark-only. */
import { ActivityFailure, ApplicationFailure, ensureTemporalFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { Store } from '../../src/store/store.js';
import type { Park } from '../../src/workflows/quota-park.js';

/** Any activity function: each takes and returns its own records. */
type Activity = (...args: never[]) => Promise<unknown>;

/** Attempts per call: the emulator does not fail, so a retry here means something worth reading. */
const MAX_ATTEMPTS = 3;
const RETRY_DELAY_MS = 1_000;

/** Failed calls by activity and failure type, e.g. `extractBatch SplitBatch`: printed with each set's report. */
export type FailureCounts = Map<string, number>;

/**
 * The activities, each call run in process. A call that still fails after its attempts is counted in
 * `failures` and rethrown as an ActivityFailure, as `proxyActivities` would raise it in the workflow.
 */
export function inProcess<T extends Record<string, Activity>>(activities: T, failures: FailureCounts): T {
  // The SDK logs each failed attempt at WARN; a split batch is routine, and the counts say what failed.
  const logger = new DefaultLogger('ERROR');
  const wrapped: Record<string, Activity> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      for (let attempt = 1; ; attempt++) {
        const env = new MockActivityEnvironment({ activityType: name, attempt }, { logger });
        try {
          return await env.run(fn, ...args);
        } catch (err) {
          const cause = ensureTemporalFailure(err);
          const nonRetryable = cause instanceof ApplicationFailure && cause.nonRetryable;
          if (!nonRetryable && attempt < MAX_ATTEMPTS) {
            // A fixed, growing pause: the emulator sends no retry hints here (no quotas, no faults are set).
            await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * attempt));
            continue;
          }
          const kind = `${name} ${cause instanceof ApplicationFailure ? (cause.type ?? 'Error') : cause.name}`;
          failures.set(kind, (failures.get(kind) ?? 0) + 1);
          throw new ActivityFailure(
            'Activity task failed',
            name,
            undefined,
            nonRetryable ? 'NON_RETRYABLE_FAILURE' : 'MAXIMUM_ATTEMPTS_REACHED',
            undefined,
            cause,
          );
        }
      }
    };
  }
  return wrapped as T;
}

/**
 * The park handed to the Extraction rounds: the benchmark's ledger limits are far above anything it sends,
 * so a daily quota running out is a fault in the setup, reported rather than waited out.
 */
export const NEVER_PARKS: Park = {
  reopen: false,
  wait: () => Promise.reject(new Error('the daily quota ran out in the benchmark: its ledger limits are set far above what it sends, so this is a setup fault')),
};

/** Outside a workflow there is no `condition`: re-check the predicate on a short timer (the benchmark sets no batch cap, so it holds at once). */
export async function waitUntil(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/**
 * The store as the Gemini activities see it in the benchmark: the answer cache is written but never read,
 * so every measured call is asked of the emulator. Without this, the --warm pass's answers, or a baseline
 * whose prompt happens to equal Fillflow's (a document that fits one call), would be served from the cache
 * and counted as no call at all.
 */
export function withoutCacheReads(store: Store): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'cacheGet') return async () => undefined;
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}
