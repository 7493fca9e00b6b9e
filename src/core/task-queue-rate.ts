/** @module The task-queue rate that keeps a per-minute request quota. */

/**
 * The server lets about one second of burst through per partition on top of its steady rate, so a
 * limit of exactly RPM/60 can exceed the quota in some 60-second window (see the rate-limit note:
 * worst case ≈ P + 61·L). Solving P + 61·L ≤ RPM gives the safe steady rate.
 * @param partitions read partitions of the task queue (1 on our dev server, 4 by default elsewhere)
 */
export function taskQueueRatePerSecond(requestsPerMinute: number, partitions = 1): number {
  return Math.max(requestsPerMinute - partitions, 1) / 61;
}

/**
 * The task-queue limit when the shared ledger enforces the per-minute window itself (queueRate `ledger`):
 * ten times the average rate, so a window's whole burst is dispatched within about six seconds (the
 * server's limiter has a one-second burst, so any lower steady rate would spread the burst over the
 * window and cost nearly a window per job). It is a runaway guard, not the quota: it bounds what workers
 * that bypass the ledger (another machine's store, an old build) can send cluster-wide.
 */
export function taskQueueBackstopPerSecond(requestsPerMinute: number): number {
  return Math.max(requestsPerMinute, 1) / 6;
}

/** The `fillflow-gemini` queue's limit for a mode and a per-minute quota; every worker must compute the same. */
export function geminiQueueRate(mode: 'ledger' | 'server', requestsPerMinute: number, partitions = 1): number {
  return mode === 'server' ? taskQueueRatePerSecond(requestsPerMinute, partitions) : taskQueueBackstopPerSecond(requestsPerMinute);
}
