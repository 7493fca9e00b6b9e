/** @module The bulk's default window (rows in flight at once), sized to the quota rather than a constant. Pure. */
import { MAX_WINDOW } from './bulk-records.js';

/** The fewest rows in flight: one row's calls never wait on another's planning. */
export const MIN_WINDOW = 2;

export interface RowCost {
  /** Gemini requests one row makes (its planned batches). */
  calls: number;
  /** Prompt tokens one row sends. */
  promptTokens: number;
}

/**
 * As many rows as one minute of the quota can serve: the requests per minute over a row's calls, or the tokens
 * per minute over a row's prompt tokens, whichever is fewer. A row's fill takes seconds to a minute end to end,
 * so that many in flight keeps the ledger's minute full (every row has its next call waiting) without queueing
 * more than a minute's work behind it, where it would only hold a Temporal slot and make a cancel slower.
 *
 * @example defaultWindow({ requestsPerMinute: 60, tokensPerMinute: 1_000_000 }, { calls: 2, promptTokens: 20_000 }) // 30
 */
export function defaultWindow(limits: { requestsPerMinute: number; tokensPerMinute: number }, row: RowCost): number {
  const byRequests = limits.requestsPerMinute / Math.max(1, row.calls);
  const byTokens = row.promptTokens > 0 ? limits.tokensPerMinute / row.promptTokens : Infinity;
  const rows = Math.ceil(Math.min(byRequests, byTokens));
  return Math.min(MAX_WINDOW, Math.max(MIN_WINDOW, Number.isFinite(rows) ? rows : MIN_WINDOW));
}
