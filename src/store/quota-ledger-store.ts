/** @module The shared token and daily request ledger, keyed by API key identity and model (issue 5). The store methods of this part.
 * Every Gemini worker that opens the same store shares it: reserve before a call, reconcile after. */
import type { Decision, QuotaLimits } from '../core/quota-decision.js';

/** One ledger bucket: a non-secret key identity (a short sha256 of the key, never the key) and a model. */
export interface QuotaBucket {
  keyId: string;
  model: string;
}

export type Reservation = { ok: true; reservationId: number } | Exclude<Decision, { ok: true }>;

/** A bucket's state as of a moment, for stats and the API. */
export interface QuotaSnapshot extends QuotaBucket {
  day: string;
  requestsToday: number;
  requestsInWindow: number;
  tokensInWindow: number;
  /** Share of the configured per-minute limits in force after 429s (1 = all). */
  rateFactor: number;
  /** Set while the day's quota is closed: when it reopens (ms since epoch). */
  exhaustedUntil?: number;
  /** Per-minute 429s counted by the ledger, today. */
  limitedToday: number;
}

export interface QuotaLedgerStore {
  /**
   * Atomically checks `limits` for a call of `tokens` estimated input tokens and, when it fits, records the
   * call as started. Two processes reserving at once cannot both take the last slot.
   */
  quotaReserve(bucket: QuotaBucket, limits: QuotaLimits, tokens: number, now?: number): Promise<Reservation>;
  /** Replaces a reservation's estimate with the tokens Gemini counted (usageMetadata.promptTokenCount). */
  quotaReconcile(reservationId: number, promptTokens: number): Promise<void>;
  /** Records a 429: per-minute kinds lower the bucket's rate, per-day closes the bucket until the next Pacific day. */
  quotaRecord429(bucket: QuotaBucket, kind: 'per-minute' | 'tokens-per-minute' | 'per-day', now?: number): Promise<void>;
  /** Reopens a closed day (an operator's `resume`, or the workflow after its reset): calls may go again. */
  quotaReopen(bucket: QuotaBucket, now?: number): Promise<void>;
  /** Every bucket the ledger knows, or one. */
  quotaSnapshots(bucket?: QuotaBucket, now?: number): Promise<QuotaSnapshot[]>;
  /**
   * Limits set at run time (`fillflow limits apply`) for every worker on this store, over their configured
   * ones: a profile change needs no worker restart. `null` clears them.
   */
  quotaSetLimits(limits: Partial<QuotaLimits> | null): Promise<void>;
  quotaLimitOverrides(): Promise<Partial<QuotaLimits> | undefined>;
}
