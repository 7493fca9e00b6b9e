/** @module Unit tests of the emulator's hashed bag-of-words embeddings. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_DIMENSIONS, hashedEmbedding } from '../../../src/emulator/hashed-embedding.js';

function cosine(a: number[], b: number[]): number {
  return a.reduce((sum, x, i) => sum + x * (b[i] ?? 0), 0);
}

describe('hashedEmbedding', () => {
  it('is deterministic, 768-dimensional by default and L2-normalised', () => {
    const v = hashedEmbedding('The monthly rent is 1200 dollars.');
    expect(v).toHaveLength(DEFAULT_DIMENSIONS);
    expect(v).toEqual(hashedEmbedding('The monthly rent is 1200 dollars.'));
    expect(cosine(v, v)).toBeCloseTo(1, 12);
  });

  it('honours the requested dimensionality', () => {
    expect(hashedEmbedding('x', 1536)).toHaveLength(1536);
  });

  it('ranks a text sharing words above one that shares none', () => {
    const query = hashedEmbedding('monthly rent amount');
    const near = hashedEmbedding('The monthly rent is 1200 dollars, payable on the first.');
    const far = hashedEmbedding('Pets are not allowed in the building.');
    expect(cosine(query, near)).toBeGreaterThan(cosine(query, far) + 0.3);
  });

  it('ignores case and punctuation', () => {
    expect(hashedEmbedding('Rent, RENT!')).toEqual(hashedEmbedding('rent rent'));
  });

  it('gives an empty text a unit vector, never a zero one', () => {
    const v = hashedEmbedding('  ... ');
    expect(cosine(v, v)).toBe(1);
  });
});
