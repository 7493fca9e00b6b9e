/** @module Deterministic stand-in embeddings: a hashed bag of words, L2-normalised; plumbing, not semantics. */

/** Gemini's recommended smaller size; what the emulator returns when none is asked for. */
export const DEFAULT_DIMENSIONS = 768;

/** FNV-1a, 32 bit: stable across runs and platforms, unlike anything seeded by the process. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Lower-cased runs of letters and digits, in any script. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * The vector for a text. Each word adds ±1 to one hashed coordinate (the sign from a second hash,
 * so collisions cancel on average instead of piling up); counts are damped with 1 + log(tf) so a
 * repeated word does not drown the rest. A text with no words gets a fixed unit vector, because a
 * zero vector has no cosine similarity and would poison a caller's ranking with NaN.
 */
export function hashedEmbedding(text: string, dimensions: number = DEFAULT_DIMENSIONS): number[] {
  const counts = new Map<string, number>();
  for (const w of words(text)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const v = new Array<number>(dimensions).fill(0);
  for (const [w, tf] of counts) {
    const index = fnv1a(w) % dimensions;
    const sign = fnv1a(`~${w}`) & 1 ? 1 : -1;
    v[index] = (v[index] ?? 0) + sign * (1 + Math.log(tf));
  }
  const norm = Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
  if (norm === 0) {
    v[0] = 1;
    return v;
  }
  return v.map((x) => x / norm);
}
