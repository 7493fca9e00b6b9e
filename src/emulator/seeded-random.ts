/** @module A small seeded pseudo-random generator, so latency, fault rates and 429 variety replay exactly. */

/** A generator of floats in [0, 1). */
export type Random = () => number;

/**
 * mulberry32: 32 bits of state, good enough spread for test jitter, and identical sequences for
 * identical seeds on every platform (Math.random offers neither).
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Independent streams from one seed, one per purpose: a test that adds a latency option must not
 * change which request the fault rate picks.
 */
export function randomStreams<K extends string>(seed: number, names: readonly K[]): Record<K, Random> {
  const out = {} as Record<K, Random>;
  names.forEach((name, i) => {
    out[name] = seededRandom(Math.imul(seed ^ 0x9e3779b9, i + 1) + i * 0x85ebca6b);
  });
  return out;
}

/** A uniform draw in [min, max]. */
export function between(random: Random, min: number, max: number): number {
  return min + (max - min) * random();
}
