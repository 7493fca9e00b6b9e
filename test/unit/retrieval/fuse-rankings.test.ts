import { describe, expect, it } from 'vitest';
import { reciprocalRankFusion } from '../../../src/retrieval/fuse-rankings.js';
import type { ChunkRef } from '../../../src/core/chunk-ref.js';

const hit = (seq: number, score = 1): ChunkRef => ({ chunkId: `d:${seq}`, documentId: 'd', seq, score, tokens: 10 });
const ids = (hits: ChunkRef[]) => hits.map((h) => h.chunkId);

describe('reciprocalRankFusion', () => {
  it('ranks a chunk both lists found above one only a single list ranked first', () => {
    const fused = reciprocalRankFusion([
      [hit(1), hit(2), hit(3)],
      [hit(9), hit(3), hit(2)],
    ]);
    expect(ids(fused).slice(0, 2).sort()).toEqual(['d:2', 'd:3']);
    expect(ids(fused)).toHaveLength(4);
  });

  it('uses ranks, not raw scores, so scales that cannot be added do not matter', () => {
    const a = reciprocalRankFusion([[hit(1, 1000), hit(2, 999)], [hit(2, 0.1), hit(1, 0.09)]]);
    const b = reciprocalRankFusion([[hit(1, 2), hit(2, 1)], [hit(2, 0.9), hit(1, 0.1)]]);
    expect(ids(a)).toEqual(ids(b));
    expect(a[0]!.score).toBeCloseTo(1 / 61 + 1 / 62);
  });

  it('breaks ties by document and position, and weights lists when asked', () => {
    expect(ids(reciprocalRankFusion([[hit(5)], [hit(4)]]))).toEqual(['d:4', 'd:5']);
    expect(ids(reciprocalRankFusion([[hit(5)], [hit(4)]], { weights: [2, 1] }))).toEqual(['d:5', 'd:4']);
  });

  it('returns nothing for no lists and passes one list through in order', () => {
    expect(reciprocalRankFusion([])).toEqual([]);
    expect(ids(reciprocalRankFusion([[hit(3), hit(1), hit(2)]]))).toEqual(['d:3', 'd:1', 'd:2']);
  });
});
