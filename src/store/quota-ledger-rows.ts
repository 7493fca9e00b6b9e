/** @module The quota ledger's bucket rows as both stores read them (their tables name the columns alike), and how a
 * row and the counts of its calls become the decision's state and the snapshot `fillflow limits` shows. */
import type { BucketState } from '../core/quota-decision.js';
import { effectiveFactor } from '../core/quota-decision.js';
import { nextPacificMidnight, pacificDay } from '../core/pacific-day.js';
import type { QuotaSnapshot } from './quota-ledger-store.js';

export interface BucketRow {
  key_id: string;
  model: string;
  rate_factor: number;
  last_limited_ms: number | null;
  limited_day: string | null;
  limited_today: number;
  exhausted_day: string | null;
  resumed_day: string | null;
}

/** Calls older than this are pruned now and then; the day count needs no more than a day and a bit. */
export const KEEP_MS = 2 * 24 * 3_600_000;

/** What the decision needs of a bucket: its row, and its calls in the ledger's window, today and last. */
export function toBucketState(
  row: BucketRow,
  calls: { window: BucketState['window']; requestsToday: number; lastStartAt: number | null | undefined },
): BucketState {
  return {
    window: calls.window,
    requestsToday: calls.requestsToday,
    ...(calls.lastStartAt !== null && calls.lastStartAt !== undefined ? { lastStartAt: calls.lastStartAt } : {}),
    rateFactor: row.rate_factor,
    ...(row.last_limited_ms !== null ? { lastLimitedAt: row.last_limited_ms } : {}),
    ...(row.exhausted_day !== null ? { exhaustedDay: row.exhausted_day } : {}),
    ...(row.resumed_day !== null ? { resumedDay: row.resumed_day } : {}),
  };
}

/** A bucket as an operator reads it, from its row and the counts of its calls in the quota's window and today. */
export function toSnapshot(
  row: BucketRow,
  calls: { requestsInWindow: number; tokensInWindow: number; requestsToday: number },
  now: number,
): QuotaSnapshot {
  const day = pacificDay(now);
  return {
    keyId: row.key_id,
    model: row.model,
    day,
    requestsToday: calls.requestsToday,
    requestsInWindow: calls.requestsInWindow,
    tokensInWindow: calls.tokensInWindow,
    rateFactor: Math.round(effectiveFactor({ rateFactor: row.rate_factor, ...(row.last_limited_ms !== null ? { lastLimitedAt: row.last_limited_ms } : {}) }, now) * 100) / 100,
    ...(row.exhausted_day === day ? { exhaustedUntil: nextPacificMidnight(now) } : {}),
    limitedToday: row.limited_day === day ? row.limited_today : 0,
  };
}
