/** @module When a fill parked on an exhausted daily quota resumes by itself: the next midnight
 * America/Los_Angeles plus a stagger drawn from the fill's ID, so parked fills do not all call at 00:00:00. */
import { nextPacificMidnight } from './pacific-day.js';

/** Parked fills spread their first call over this long after the reset. */
export const RESET_STAGGER_MS = 10 * 60_000;

/** A stable share in [0, 1) from a string (FNV-1a, then mixed): the same fill always gets the same stagger, on replay too. */
export function stableShare(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // murmur3's finaliser: FNV alone leaves IDs that differ in one digit close together in the top bits.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return (h >>> 0) / 0x1_0000_0000;
}

/**
 * The instant a fill parked at `now` resumes: the quota's reset plus its stagger. Deterministic (no
 * randomness), so it is safe inside a workflow, whose `Date.now()` is replay-safe.
 */
export function quotaResumeAt(fillId: string, now: number, staggerMs = RESET_STAGGER_MS): number {
  return nextPacificMidnight(now) + Math.floor(stableShare(fillId) * staggerMs);
}
