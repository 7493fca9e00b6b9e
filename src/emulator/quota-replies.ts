/** @module The emulator's 429s: from its own quota windows, and from injected rate-limit faults. */
import { quotaExceeded, quotaExceededWithoutDetails, type Reply, type ReportedViolation } from './google-errors.js';
import { formatProtoDuration } from './proto-duration.js';
import type { QuotaViolation } from './quota-ledger.js';
import { between, type Random } from './seeded-random.js';
import type { FaultSpec, QuotaKind, QuotaLimits } from './types.js';

/**
 * Real per-day 429s carry a short retryDelay (reports show 5–60 s), not the time to midnight; a
 * client that obeys it hammers the API until the reset. The emulator reproduces the trap.
 */
const SHORT_DELAY_MS = { min: 5_000, max: 60_000 };

/** Limits an injected rate-limit reports when none is configured: the free tier of gemini-2.5-flash in 2026. */
const FALLBACK_LIMITS: Required<QuotaLimits> = { rpm: 10, tpm: 250_000, rpd: 20 };

const LIMIT_OF: Record<QuotaKind, keyof QuotaLimits> = {
  'per-minute': 'rpm',
  'tokens-per-minute': 'tpm',
  'per-day': 'rpd',
};

/** A short, plausible, misleading delay with Google's nanosecond precision. */
function shortDelay(random: Random): string {
  return formatProtoDuration(Math.round(between(random, SHORT_DELAY_MS.min, SHORT_DELAY_MS.max) * 1e6) / 1e6);
}

/**
 * The 429 for quotas the ledger refused. The delay is exact for per-minute windows (the longest of
 * them when several are broken, since the request needs all of them); a per-day refusal alone gets
 * the short misleading delay.
 */
export function ledgerQuotaReply(model: string, violations: QuotaViolation[], random: Random): Reply {
  const minuteDelays = violations.filter((v) => v.quota !== 'per-day').map((v) => v.retryAfterMs);
  const retryDelay = minuteDelays.length > 0 ? formatProtoDuration(Math.max(...minuteDelays)) : shortDelay(random);
  return quotaExceeded({
    model,
    violations: violations.map(({ quota, limit }) => ({ quota, limit })),
    retryDelay,
    helpFirst: random() < 0.5,
  });
}

/** The 429 an injected fault asks for. */
export function faultQuotaReply(
  model: string,
  fault: Extract<FaultSpec, { kind: 'rate-limit' | 'limit-zero' | 'no-details-429' }>,
  limits: QuotaLimits,
  random: Random,
): Reply {
  const helpFirst = random() < 0.5;
  switch (fault.kind) {
    case 'no-details-429':
      return quotaExceededWithoutDetails();
    case 'limit-zero': {
      // As in the recorded one (test/fixtures/gemini/429-limit-zero.json), every free-tier quota of the model is reported, each at 0.
      const violations: ReportedViolation[] = [
        { quota: 'per-day', limit: 0 },
        { quota: 'per-minute', limit: 0 },
        { quota: 'tokens-per-minute', limit: 0 },
      ];
      return quotaExceeded({ model, violations, retryDelay: shortDelay(random), helpFirst });
    }
    case 'rate-limit': {
      const key = LIMIT_OF[fault.quota];
      const limit = limits[key] ?? FALLBACK_LIMITS[key];
      const retryDelay = fault.retryDelay ?? shortDelay(random);
      return quotaExceeded({ model, violations: [{ quota: fault.quota, limit }], retryDelay, helpFirst });
    }
  }
}
