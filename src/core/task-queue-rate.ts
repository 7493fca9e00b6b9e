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
