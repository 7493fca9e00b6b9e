/** @module The quota ledger's decision, pure: may a Gemini call start now, and if not, why and until when.
 * Every ledger implementation (SQLite now, Postgres for clusters) reads its rows, calls {@link decideReservation}
 * inside one transaction, and writes the reservation only when the answer is `ok`. */
import { nextPacificMidnight, pacificDay } from './pacific-day.js';
import { WINDOW_MS, requestWindowDelay, tokenWindowDelay } from './quota-window.js';

/**
 * A reservation is taken before the request leaves, and Gemini stamps it when it arrives, a little later
 * and by a varying amount (connection setup, a busy event loop). So a call holds its place in the ledger's
 * window this much longer than Gemini's minute: a call granted the moment an old one ages out in the
 * ledger must not arrive while Gemini still counts the old one.
 */
export const SEND_MARGIN_MS = 1_000;
/** How long one call counts against the ledger's per-minute windows. */
export const LEDGER_WINDOW_MS = WINDOW_MS + SEND_MARGIN_MS;

/** The limits one (API key, model) pair is held to. */
export interface QuotaLimits {
  requestsPerMinute: number;
  tokensPerMinute: number;
  requestsPerDay: number;
  /** Least time between the starts of two calls (the conservative profile's 2 s). 0 for none. */
  minIntervalMs: number;
}

/** What the ledger knows of one bucket at `now`. */
export interface BucketState {
  /** Calls started in the last minute, ascending by start, with their input tokens (estimated until reconciled). */
  window: readonly { at: number; tokens: number }[];
  /** Calls started on the current Pacific day. */
  requestsToday: number;
  /** Start of the latest call, for the minimum spacing. */
  lastStartAt?: number;
  /** Share of the per-minute limits in force after 429s, before creeping back (see {@link effectiveFactor}). */
  rateFactor: number;
  /** When the last per-minute 429 came. */
  lastLimitedAt?: number;
  /** The Pacific day a per-day 429 (or our own count) closed; calls wait for the next day. */
  exhaustedDay?: string;
  /** The Pacific day an operator resumed: our own daily count no longer blocks that day (Gemini still may). */
  resumedDay?: string;
}

export type Decision =
  | { ok: true }
  | { ok: false; reason: 'per-minute' | 'tokens-per-minute' | 'min-interval'; waitMs: number }
  | { ok: false; reason: 'per-day'; resetAt: number };

/** After a per-minute 429 the rate drops to this share of what it was ... */
export const BACKOFF_FACTOR = 0.7;
/** ... never below this share of the configured limit ... */
export const MIN_FACTOR = 0.25;
/** ... and creeps back by this share for every clean minute since the last 429. */
export const CREEP_STEP = 0.1;

/** The rate share in force at `now`: the stored factor plus one step per full minute without a 429. */
export function effectiveFactor(state: Pick<BucketState, 'rateFactor' | 'lastLimitedAt'>, now: number): number {
  if (state.rateFactor >= 1 || state.lastLimitedAt === undefined) return Math.min(1, state.rateFactor);
  const cleanMinutes = Math.max(0, Math.floor((now - state.lastLimitedAt) / WINDOW_MS));
  return Math.min(1, state.rateFactor + CREEP_STEP * cleanMinutes);
}

/** The factor to store after a per-minute 429 at `now`. */
export function factorAfter429(state: Pick<BucketState, 'rateFactor' | 'lastLimitedAt'>, now: number): number {
  return Math.max(MIN_FACTOR, effectiveFactor(state, now) * BACKOFF_FACTOR);
}

/** The limits in force at `now`, with the per-minute ones lowered by recent 429s. */
export function effectiveLimits(limits: QuotaLimits, state: Pick<BucketState, 'rateFactor' | 'lastLimitedAt'>, now: number): QuotaLimits {
  const f = effectiveFactor(state, now);
  return {
    ...limits,
    requestsPerMinute: Math.max(1, Math.floor(limits.requestsPerMinute * f)),
    tokensPerMinute: Math.max(1, Math.floor(limits.tokensPerMinute * f)),
  };
}

/**
 * May a call of `tokens` estimated input tokens start at `now`? The per-minute windows are sliding and
 * exact, so a quiet window's whole burst goes out at once (a pacer that spread calls evenly would lose
 * nearly a window per job); the per-day count is by Pacific calendar day.
 */
export function decideReservation(limits: QuotaLimits, state: BucketState, tokens: number, now: number): Decision {
  const today = pacificDay(now);
  if (state.exhaustedDay === today) return { ok: false, reason: 'per-day', resetAt: nextPacificMidnight(now) };
  if (state.requestsToday >= limits.requestsPerDay && state.resumedDay !== today) {
    return { ok: false, reason: 'per-day', resetAt: nextPacificMidnight(now) };
  }
  const eff = effectiveLimits(limits, state, now);
  const live = state.window.filter((e) => e.at + LEDGER_WINDOW_MS > now);
  const rpmWait = requestWindowDelay(live.map((e) => e.at), eff.requestsPerMinute, now, LEDGER_WINDOW_MS);
  const tpmWait = tokenWindowDelay(live, tokens, eff.tokensPerMinute, now, LEDGER_WINDOW_MS);
  const spacingWait = state.lastStartAt !== undefined ? Math.max(0, state.lastStartAt + limits.minIntervalMs - now) : 0;
  const wait = Math.max(rpmWait, tpmWait, spacingWait);
  if (wait <= 0) return { ok: true };
  const reason = wait === rpmWait ? 'per-minute' : wait === tpmWait ? 'tokens-per-minute' : 'min-interval';
  return { ok: false, reason, waitMs: wait };
}
