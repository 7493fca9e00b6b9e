/** @module Which of a key's quotas binds its next calls, requests (per minute, per day) or tokens (per minute):
 * the one fact planning needs from the quota ledger. Pure. */
import type { QuotaLimits } from './quota-decision.js';

/** The quota a fill should spare: fewer calls when `requests`, fewer tokens when `tokens`. */
export type ScarceQuota = 'requests' | 'tokens' | 'neither';

/** A small record the workflow carries from prepareFill into planning (and the dry run shows). */
export interface QuotaScarcity {
  scarce: ScarceQuota;
  /** Requests left today under the per-day limit. */
  requestsLeftToday: number;
  /** Requests and prompt tokens left in the current sliding minute, at the rate in force after any 429s. */
  requestsLeftThisMinute: number;
  tokensLeftThisMinute: number;
  /** Why, in words. */
  reason: string;
}

/** What the ledger says of the key's use so far (a QuotaSnapshot has these). */
export interface QuotaUse {
  requestsToday: number;
  requestsInWindow: number;
  tokensInWindow: number;
  /** Share of the per-minute limits in force after 429s (1 = all). */
  rateFactor: number;
  /** Set while a per-day 429 has closed the day: no request is left until then. */
  exhaustedUntil?: number;
}

/** The day is running out when fewer requests than this share of the daily limit are left ... */
const DAY_RESERVE_SHARE = 0.1;
/** ... or fewer than this many. */
const DAY_RESERVE_MIN = 25;
const MINUTES_PER_DAY = 24 * 60;

/** A count for a reason: whole, with thousands separated. */
const n = (x: number) => Math.floor(x).toLocaleString('en-US');

/**
 * Which quota binds, for calls of up to `callTokens` prompt tokens (the fill's input budget).
 *
 * - Requests bind when the day is running out, when the day allows less than a request a minute on average
 *   (the free tier's 250), when the minute has room for tokens but hardly for requests, or when the limits let
 *   each request carry a full call's tokens (TPM ÷ RPM ≥ `callTokens`): the key runs out of requests first.
 * - Tokens bind when the minute cannot hold two full calls, or when the limits give each request well under a
 *   full call's tokens (TPM ÷ RPM < `callTokens` / 2: a paid tier's 4,000,000 ÷ 1,000), where tokens are also
 *   what is billed.
 * - Otherwise neither.
 *
 * @param use the ledger's snapshot of this key and model; absent when it has never called
 */
export function quotaScarcity(limits: QuotaLimits, use: QuotaUse | undefined, callTokens: number): QuotaScarcity {
  const factor = Math.min(1, Math.max(0, use?.rateFactor ?? 1));
  const rpm = Math.max(1, Math.floor(limits.requestsPerMinute * factor));
  const tpm = Math.max(1, Math.floor(limits.tokensPerMinute * factor));
  const requestsLeftToday = use?.exhaustedUntil !== undefined ? 0 : Math.max(0, limits.requestsPerDay - (use?.requestsToday ?? 0));
  const requestsLeftThisMinute = Math.max(0, rpm - (use?.requestsInWindow ?? 0));
  const tokensLeftThisMinute = Math.max(0, tpm - (use?.tokensInWindow ?? 0));
  const left = { requestsLeftToday, requestsLeftThisMinute, tokensLeftThisMinute };
  const tokensPerRequest = tpm / rpm;
  const budget = Math.max(1, callTokens);

  if (requestsLeftToday <= Math.max(DAY_RESERVE_MIN, limits.requestsPerDay * DAY_RESERVE_SHARE)) {
    return { scarce: 'requests', ...left, reason: `${n(requestsLeftToday)} of ${n(limits.requestsPerDay)} requests left today` };
  }
  if (limits.requestsPerDay < MINUTES_PER_DAY) {
    return { scarce: 'requests', ...left, reason: `${n(limits.requestsPerDay)} requests a day, under one a minute` };
  }
  if (requestsLeftThisMinute < 2 && tokensLeftThisMinute >= 2 * budget) {
    return { scarce: 'requests', ...left, reason: `${n(requestsLeftThisMinute)} of ${n(rpm)} requests left this minute, with tokens to spare` };
  }
  if (tokensPerRequest >= budget) {
    return { scarce: 'requests', ...left, reason: `each request may carry ${n(tokensPerRequest)} tokens (${n(tpm)} a minute over ${n(rpm)} requests), a full call ${n(budget)}` };
  }
  if (tokensLeftThisMinute < 2 * budget) {
    return { scarce: 'tokens', ...left, reason: `${n(tokensLeftThisMinute)} of ${n(tpm)} tokens left this minute, under two full calls of ${n(budget)}` };
  }
  if (tokensPerRequest < budget / 2) {
    return { scarce: 'tokens', ...left, reason: `each request may carry only ${n(tokensPerRequest)} tokens (${n(tpm)} a minute over ${n(rpm)} requests), a full call ${n(budget)}` };
  }
  return { scarce: 'neither', ...left, reason: `${n(requestsLeftThisMinute)} requests and ${n(tokensLeftThisMinute)} tokens left this minute, ${n(requestsLeftToday)} requests today` };
}
