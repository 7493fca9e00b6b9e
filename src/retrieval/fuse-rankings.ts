/** @module Reciprocal rank fusion: one ranking from several (BM25, dense vectors), by rank, not by raw score. */
import type { ChunkRef } from '../core/chunk-ref.js';

export interface FuseOptions {
  /**
   * Damps the head of each list: a hit at rank r adds weight / (k + r). 60 is the value of Cormack et al.
   * (2009), which later work keeps finding hard to beat; it makes rank 1 and rank 5 differ by little, so one
   * list cannot drown the other.
   * @default 60
   */
  k?: number;
  /** One weight per list. @default 1 each */
  weights?: number[];
}

/**
 * Fuses rankings of the same chunks by reciprocal rank: BM25 scores and cosine similarities live on scales
 * that cannot be added, but ranks can. A chunk found by both lists beats one found high in only one.
 * The returned `score` is the fused score (higher is better); ties go to document then position.
 *
 * @example
 * reciprocalRankFusion([lexicalHits, vectorHits]).slice(0, 8)
 */
export function reciprocalRankFusion(lists: readonly (readonly ChunkRef[])[], opts: FuseOptions = {}): ChunkRef[] {
  const k = opts.k ?? 60;
  const fused = new Map<string, ChunkRef>();
  lists.forEach((list, li) => {
    const weight = opts.weights?.[li] ?? 1;
    list.forEach((hit, rank) => {
      const add = weight / (k + rank + 1);
      const seen = fused.get(hit.chunkId);
      if (seen) seen.score += add;
      else fused.set(hit.chunkId, { ...hit, score: add });
    });
  });
  return [...fused.values()].sort(
    (a, b) => b.score - a.score || (a.documentId < b.documentId ? -1 : a.documentId > b.documentId ? 1 : a.seq - b.seq),
  );
}
