/** @module A storm of faults by share of requests (EmulatorOptions.faultMix): which fault, if any, one generateContent
 * request draws, and the 429s' retry delays. */
import { formatProtoDuration } from './proto-duration.js';
import { between, type Random } from './seeded-random.js';
import type { FaultMix } from './types.js';

/** What one request drew: a fault of the mix, or none. */
export type MixDraw = 'rate-limit' | 'unavailable' | 'malformed' | 'truncated' | undefined;

const KINDS = ['rateLimit', 'unavailable', 'malformed', 'truncated'] as const;
const DRAWN: Record<(typeof KINDS)[number], Exclude<MixDraw, undefined>> = {
  rateLimit: 'rate-limit',
  unavailable: 'unavailable',
  malformed: 'malformed',
  truncated: 'truncated',
};

/** The 429s' delays when the mix names none: short, so a storm test is not a test of patience. */
const DEFAULT_RETRY_DELAY_MS = { min: 1_000, max: 5_000 };

/** Throws, naming the option, when the mix cannot be served. */
export function checkFaultMix(mix: FaultMix): Required<FaultMix> {
  let total = 0;
  for (const k of KINDS) {
    const share = mix[k] ?? 0;
    if (!(share >= 0 && share <= 1)) throw new Error(`faultMix.${k}: expected a share in [0, 1], got ${share}`);
    total += share;
  }
  if (total > 1 + 1e-9) throw new Error(`faultMix: the shares add up to ${total}, more than every request`);
  const delay = mix.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
  if (!(Number.isFinite(delay.min) && Number.isFinite(delay.max) && delay.min >= 0 && delay.min <= delay.max)) {
    throw new Error(`faultMix.retryDelayMs: expected { min, max } with 0 <= min <= max, got ${JSON.stringify(delay)}`);
  }
  return { rateLimit: mix.rateLimit ?? 0, unavailable: mix.unavailable ?? 0, malformed: mix.malformed ?? 0, truncated: mix.truncated ?? 0, retryDelayMs: delay };
}

/** One draw for one request: the shares are laid end to end over [0, 1), so they never overlap. */
export function drawFromMix(mix: Required<FaultMix>, random: Random): MixDraw {
  const u = random();
  let edge = 0;
  for (const k of KINDS) {
    edge += mix[k];
    if (u < edge) return DRAWN[k];
  }
  return undefined;
}

/** A 429's retryDelay from the mix's range, as Google writes it ("2.481s"). */
export function mixRetryDelay(mix: Required<FaultMix>, random: Random): string {
  return formatProtoDuration(Math.round(between(random, mix.retryDelayMs.min, mix.retryDelayMs.max)));
}
