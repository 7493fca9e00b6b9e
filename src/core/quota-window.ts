/** @module Sliding-window quota arithmetic: how long until one more request (or N more tokens) fits a
 * per-minute window. Pure; the ledger calls it inside its transaction, tests call it directly. */

/** Length of Gemini's per-minute windows. */
export const WINDOW_MS = 60_000;

/**
 * Ms until a window holding requests at `timestamps` (ascending, all younger than the window at `now`)
 * has room for one more under `limit`: when the entry that brings the count below the limit ages out.
 * 0 when there is room now.
 */
export function requestWindowDelay(timestamps: readonly number[], limit: number, now: number, windowMs = WINDOW_MS): number {
  if (timestamps.length < limit) return 0;
  if (limit <= 0) return windowMs;
  const freeing = timestamps[timestamps.length - limit];
  return freeing === undefined ? 0 : Math.max(0, freeing + windowMs - now);
}

/**
 * Ms until a window holding `entries` (ascending) has room for `tokens` more under `limit`. A request
 * larger than the whole limit is let through once the window is empty: it can never fit, and holding it
 * forever would stall its fill; Gemini then answers it (or refuses it as too large) and the batch is split.
 */
export function tokenWindowDelay(
  entries: readonly { at: number; tokens: number }[],
  tokens: number,
  limit: number,
  now: number,
  windowMs = WINDOW_MS,
): number {
  let used = entries.reduce((sum, e) => sum + e.tokens, 0);
  if (used + tokens <= limit || entries.length === 0) return 0;
  for (const e of entries) {
    used -= e.tokens;
    if (used + tokens <= limit) return Math.max(0, e.at + windowMs - now);
  }
  const last = entries[entries.length - 1]!;
  return Math.max(0, last.at + windowMs - now);
}
