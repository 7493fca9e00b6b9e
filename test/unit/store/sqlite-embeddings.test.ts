/** @module The embeddings part of the SQLite store: vectors by space, query cache, vector search inside SQLite. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashedEmbedding } from '../../../src/emulator/index.js';
import { buildFieldQuery } from '../../../src/retrieval/build-field-query.js';
import { chunkText } from '../../../src/retrieval/chunk-text.js';
import { searchFields } from '../../../src/retrieval/search-fields.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';
import type { Store } from '../../../src/store/store.js';

const space = { endpoint: 'gemini', model: 'test-embedding', dimensions: 64 };
const emulator = { ...space, endpoint: 'http://127.0.0.1:4010' };
let store: Store;
beforeEach(() => {
  store = openSqliteStore(':memory:');
});
afterEach(async () => {
  await store.close();
});

async function put(text: string) {
  const doc = await store.putDocument({ name: 'd.txt', mimeType: 'text/plain', text }, chunkText(text, { maxTokens: 12 }));
  const missing = await store.chunksWithoutEmbedding(space, [doc.id]);
  await store.putChunkEmbeddings(space, missing.map((c) => ({ chunkId: c.chunkId, vector: hashedEmbedding(c.text, 64) })));
  return doc;
}

describe('sqlite embeddings', () => {
  it('lists chunks without a vector in a space, and none once stored', async () => {
    const doc = await store.putDocument({ name: 'a', mimeType: 'text/plain', text: 'One.\n\nTwo.' }, chunkText('One.\n\nTwo.', { maxTokens: 2 }));
    expect((await store.chunksWithoutEmbedding(space, [doc.id])).map((c) => c.text)).toEqual(['One.', 'Two.']);
    const missing = await store.chunksWithoutEmbedding(space, [doc.id]);
    await store.putChunkEmbeddings(space, missing.map((c) => ({ chunkId: c.chunkId, vector: hashedEmbedding(c.text, 64) })));
    expect(await store.chunksWithoutEmbedding(space, [doc.id])).toEqual([]);
    // Another endpoint, model or size is another space.
    expect(await store.chunksWithoutEmbedding({ ...space, dimensions: 32 }, [doc.id])).toHaveLength(2);
    expect(await store.chunksWithoutEmbedding({ ...space, model: 'other' }, [doc.id])).toHaveLength(2);
    expect(await store.chunksWithoutEmbedding(emulator, [doc.id])).toHaveLength(2);
  });

  it('ranks chunks by cosine similarity inside SQLite, only within the documents asked', async () => {
    const a = await put('The invoice total is due in thirty days.\n\nThe governing law is the law of England.\n\nDelivery happens by truck.');
    const b = await put('Governing law: law of England and Wales.');
    const q = hashedEmbedding('governing law England', 64);
    const hits = await store.searchByVector(space, q, [a.id], 3);
    expect(hits[0]!.documentId).toBe(a.id);
    expect((await store.getChunks([hits[0]!.chunkId]))[0]!.text).toMatch(/governing law/);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    expect(hits.every((h) => h.documentId === a.id)).toBe(true);
    expect((await store.searchByVector(space, q, [a.id, b.id], 10)).some((h) => h.documentId === b.id)).toBe(true);
  });

  it('caches query vectors by text and space, and refuses a vector of the wrong size', async () => {
    await store.putQueryEmbeddings(space, [{ text: 'due date', vector: hashedEmbedding('due date', 64) }]);
    const got = await store.getQueryEmbeddings(space, ['due date', 'other']);
    expect([...got.keys()]).toEqual(['due date']);
    expect(got.get('due date')![0]).toBeCloseTo(hashedEmbedding('due date', 64)[0]!, 6);
    expect((await store.getQueryEmbeddings({ ...space, model: 'x' }, ['due date'])).size).toBe(0);
    expect((await store.getQueryEmbeddings(emulator, ['due date'])).size).toBe(0);
    await expect(store.putQueryEmbeddings(space, [{ text: 'q', vector: [1, 0] }])).rejects.toThrow(/2 dimensions, expected 64/);
  });

  it('never ranks with another endpoint\'s vectors, though model and size are the same', async () => {
    const doc = await put('Governing law: England.\n\nPayment within thirty days.');
    const q = hashedEmbedding('governing law', 64);
    expect(await store.searchByVector(emulator, q, [doc.id], 5)).toEqual([]);
    // The emulator's own vectors (here the reverse of Google's) rank for the emulator only.
    const chunks = await store.chunksWithoutEmbedding(emulator, [doc.id]);
    await store.putChunkEmbeddings(emulator, chunks.map((c) => ({ chunkId: c.chunkId, vector: hashedEmbedding(c.text, 64).map((x) => -x) })));
    const google = await store.searchByVector(space, q, [doc.id], 5);
    const other = await store.searchByVector(emulator, q, [doc.id], 5);
    expect(google.map((h) => h.chunkId)).toEqual([...other.map((h) => h.chunkId)].reverse());
    expect(google[0]!.score).toBeCloseTo(-other[other.length - 1]!.score, 5);
  });

  it('fuses BM25 and vector hits in searchFields when the space is given, and falls back to BM25 without it', async () => {
    const doc = await put('Payment terms: thirty days net.\n\nGoverning law: England.\n\nThe parties agree to cooperate.');
    const field = { key: 'governing_law', label: 'Governing law', type: 'string' as const };
    const lexical = await searchFields(store, [field], [doc.id], { topK: 2 });
    // No query vector stored yet: the same as lexical even with the space.
    expect(await searchFields(store, [field], [doc.id], { topK: 2, embeddings: space })).toEqual(lexical);
    const query = buildFieldQuery(field);
    await store.putQueryEmbeddings(space, [{ text: query, vector: hashedEmbedding(query, 64) }]);
    const hybrid = await searchFields(store, [field], [doc.id], { topK: 2, embeddings: space });
    expect(hybrid.governing_law![0]!.chunkId).toBe(lexical.governing_law![0]!.chunkId);
    // Fused scores are reciprocal-rank sums, not BM25 scores.
    expect(hybrid.governing_law![0]!.score).toBeLessThan(1);
  });
});
