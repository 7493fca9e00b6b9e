/** @module Quota arithmetic: sliding 60 s request and token windows, the Pacific-day counter; clock injected. */
import { nextPacificMidnight, pacificDay } from './pacific-day.js';
import type { QuotaKind, QuotaLimits } from './types.js';

/** Length of the per-minute windows. */
export const WINDOW_MS = 60_000;

/** One quota a request would break, with how long until it would not. */
export interface QuotaViolation {
  quota: QuotaKind;
  limit: number;
  /**
   * Per-minute kinds: exact ms until the window frees enough capacity for this request.
   * Per-day: ms until the next Pacific midnight (the truth; the server chooses what to tell).
   */
  retryAfterMs: number;
}

/** The ledger's verdict on one request. */
export type Admission = { ok: true } | { ok: false; violations: QuotaViolation[] };

/** What one (api key, model) bucket has used, as of now. */
export interface BucketUsage {
  requestsInWindow: number;
  tokensInWindow: number;
  requestsToday: number;
  day: string;
}

interface Entry {
  at: number;
  tokens: number;
}

interface Bucket {
  /** Accepted requests in arrival order; only entries younger than WINDOW_MS are kept. */
  window: Entry[];
  day: string;
  requestsToday: number;
}

/**
 * Ms until a request window holding `timestamps` (ascending, all inside the window at `now`) has room
 * for one more under `limit`: the moment the entry that brings the count below the limit ages out.
 * 0 when there is room already. With `limit` 0 there is never room; a full window is returned.
 */
export function requestWindowDelay(timestamps: readonly number[], limit: number, now: number): number {
  if (timestamps.length < limit) return 0;
  if (limit <= 0) return WINDOW_MS;
  const freeing = timestamps[timestamps.length - limit];
  return freeing === undefined ? 0 : freeing + WINDOW_MS - now;
}

/**
 * Ms until a token window holding `entries` (ascending, inside the window) has room for `tokens` more
 * under `limit`. A request larger than the whole limit never fits; it is told to wait until the
 * window is empty (or a full window when it is already empty), as it would be told by Google, and
 * will be refused again then.
 */
export function tokenWindowDelay(
  entries: readonly { at: number; tokens: number }[],
  tokens: number,
  limit: number,
  now: number,
): number {
  let used = entries.reduce((sum, e) => sum + e.tokens, 0);
  if (used + tokens <= limit) return 0;
  for (const e of entries) {
    used -= e.tokens;
    if (used + tokens <= limit) return e.at + WINDOW_MS - now;
  }
  const last = entries[entries.length - 1];
  return last === undefined ? WINDOW_MS : last.at + WINDOW_MS - now;
}

/**
 * Per-bucket quota state. A refused request (429) is not recorded: Google does not count it as an
 * accepted request, and counting it would let a client that retries too early extend its own wait
 * forever, which real per-minute limits do not do.
 */
export class QuotaLedger {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Checks a request of `tokens` input tokens against `limits`; when it fits, records it. */
  admit(bucketKey: string, limits: QuotaLimits, tokens: number): Admission {
    const now = this.now();
    const bucket = this.current(bucketKey, now);
    const violations: QuotaViolation[] = [];
    if (limits.rpd !== undefined && bucket.requestsToday >= limits.rpd) {
      violations.push({ quota: 'per-day', limit: limits.rpd, retryAfterMs: nextPacificMidnight(now) - now });
    }
    if (limits.rpm !== undefined) {
      const delay = requestWindowDelay(
        bucket.window.map((e) => e.at),
        limits.rpm,
        now,
      );
      if (delay > 0) violations.push({ quota: 'per-minute', limit: limits.rpm, retryAfterMs: delay });
    }
    if (limits.tpm !== undefined) {
      const delay = tokenWindowDelay(bucket.window, tokens, limits.tpm, now);
      if (delay > 0) violations.push({ quota: 'tokens-per-minute', limit: limits.tpm, retryAfterMs: delay });
    }
    if (violations.length > 0) return { ok: false, violations };
    bucket.window.push({ at: now, tokens });
    bucket.requestsToday += 1;
    return { ok: true };
  }

  /** The bucket's usage as of now. */
  usage(bucketKey: string): BucketUsage {
    const b = this.current(bucketKey, this.now());
    return {
      requestsInWindow: b.window.length,
      tokensInWindow: b.window.reduce((sum, e) => sum + e.tokens, 0),
      requestsToday: b.requestsToday,
      day: b.day,
    };
  }

  reset(): void {
    this.buckets.clear();
  }

  /** The bucket with entries older than the window dropped and the day counter rolled over. */
  private current(bucketKey: string, now: number): Bucket {
    const day = pacificDay(now);
    let b = this.buckets.get(bucketKey);
    if (!b) {
      b = { window: [], day, requestsToday: 0 };
      this.buckets.set(bucketKey, b);
    }
    if (b.day !== day) {
      b.day = day;
      b.requestsToday = 0;
    }
    // An entry stamped `at` occupies the window during [at, at + WINDOW_MS).
    const firstLive = b.window.findIndex((e) => e.at + WINDOW_MS > now);
    b.window.splice(0, firstLive === -1 ? b.window.length : firstLive);
    return b;
  }
}
