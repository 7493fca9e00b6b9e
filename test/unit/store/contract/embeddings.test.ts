/** @module The store contract, on every store: vectors by embedding space, the query-vector cache, and vector
 * search ranked inside the database. */
import { describe, expect, it } from 'vitest';
import { hashedEmbedding } from '../../../../src/emulator/index.js';
import { buildFieldQuery } from '../../../../src/retrieval/build-field-query.js';
import { chunkText } from '../../../../src/retrieval/chunk-text.js';
import { searchFields } from '../../../../src/retrieval/search-fields.js';
import { STORE_KINDS, useStore } from './store-kinds.js';

const space = { endpoint: 'gemini', model: 'test-embedding', dimensions: 64 };
const emulator = { ...space, endpoint: 'http://127.0.0.1:4010' };

describe.each(STORE_KINDS)('$name store: embeddings', (kind) => {
  const h = useStore(kind);

  async function put(text: string) {
    const doc = await h.store.putDocument({ name: 'd.txt', mimeType: 'text/plain', text }, chunkText(text, { maxTokens: 12 }));
    const missing = await h.store.chunksWithoutEmbedding(space, [doc.id]);
    await h.store.putChunkEmbeddings(space, missing.map((c) => ({ chunkId: c.chunkId, vector: hashedEmbedding(c.text, 64) })));
    return doc;
  }

  it('lists chunks without a vector in a space, and none once stored', async () => {
    const doc = await h.store.putDocument({ name: 'a', mimeType: 'text/plain', text: 'One.\n\nTwo.' }, chunkText('One.\n\nTwo.', { maxTokens: 2 }));
    expect((await h.store.chunksWithoutEmbedding(space, [doc.id])).map((c) => c.text)).toEqual(['One.', 'Two.']);
    const missing = await h.store.chunksWithoutEmbedding(space, [doc.id]);
    await h.store.putChunkEmbeddings(space, missing.map((c) => ({ chunkId: c.chunkId, vector: hashedEmbedding(c.text, 64) })));
    expect(await h.store.chunksWithoutEmbedding(space, [doc.id])).toEqual([]);
    // Another endpoint, model or size is another space.
    expect(await h.store.chunksWithoutEmbedding({ ...space, dimensions: 32 }, [doc.id])).toHaveLength(2);
    expect(await h.store.chunksWithoutEmbedding({ ...space, model: 'other' }, [doc.id])).toHaveLength(2);
    expect(await h.store.chunksWithoutEmbedding(emulator, [doc.id])).toHaveLength(2);
    expect(await h.store.chunksWithoutEmbedding(space, [])).toEqual([]);
  });

  it('ranks chunks by cosine similarity, only within the documents asked', async () => {
    const a = await put('The invoice total is due in thirty days.\n\nThe governing law is the law of England.\n\nDelivery happens by truck.');
    const b = await put('Governing law: law of England and Wales.');
    const q = hashedEmbedding('governing law England', 64);
    const hits = await h.store.searchByVector(space, q, [a.id], 3);
    expect(hits[0]!.documentId).toBe(a.id);
    expect((await h.store.getChunks([hits[0]!.chunkId]))[0]!.text).toMatch(/governing law/);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    expect(hits.every((x) => x.documentId === a.id)).toBe(true);
    expect((await h.store.searchByVector(space, q, [a.id, b.id], 10)).some((x) => x.documentId === b.id)).toBe(true);
    expect(await h.store.searchByVector(space, q, [], 10)).toEqual([]);
    expect(await h.store.searchByVector(space, q, [a.id], 0)).toEqual([]);
  });

  it('scores 1 − cosine distance, whatever the vectors\' lengths', async () => {
    const doc = await h.store.putDocument({ name: 'v', mimeType: 'text/plain', text: 'a. b. c.' }, chunkText('a. b. c.', { maxTokens: 1 }));
    const chunks = await h.store.listChunks([doc.id]);
    const unit = (i: number) => Array.from({ length: 64 }, (_, j) => (j === i ? 3 : 0));
    await h.store.putChunkEmbeddings(space, chunks.map((c, i) => ({ chunkId: c.chunkId, vector: unit(i) })));
    const q = Array.from({ length: 64 }, (_, j) => (j === 0 ? 1 : j === 1 ? 1 : 0));
    const hits = await h.store.searchByVector(space, q, [doc.id], 5);
    expect(hits.map((x) => x.seq)).toEqual([0, 1, ...chunks.slice(2).map((c) => c.seq)]);
    expect(hits[0]!.score).toBeCloseTo(Math.SQRT1_2, 5);
    expect(hits[1]!.score).toBeCloseTo(Math.SQRT1_2, 5);
    expect(hits[2]!.score).toBeCloseTo(0, 5);
  });

  it('replaces a chunk\'s vector when stored again', async () => {
    const doc = await put('Governing law: England.\n\nPayment within thirty days.');
    const [first, second] = await h.store.listChunks([doc.id]);
    const q = hashedEmbedding('payment', 64);
    await h.store.putChunkEmbeddings(space, [{ chunkId: first!.chunkId, vector: q }]);
    expect((await h.store.searchByVector(space, q, [doc.id], 1))[0]!.chunkId).toBe(first!.chunkId);
    await h.store.putChunkEmbeddings(space, [{ chunkId: first!.chunkId, vector: q.map((x) => -x) }, { chunkId: second!.chunkId, vector: q }]);
    expect((await h.store.searchByVector(space, q, [doc.id], 1))[0]!.chunkId).toBe(second!.chunkId);
  });

  it('caches query vectors by text and space, and refuses a vector of the wrong size', async () => {
    await h.store.putQueryEmbeddings(space, [{ text: 'due date', vector: hashedEmbedding('due date', 64) }]);
    const got = await h.store.getQueryEmbeddings(space, ['due date', 'other']);
    expect([...got.keys()]).toEqual(['due date']);
    expect(got.get('due date')![0]).toBeCloseTo(hashedEmbedding('due date', 64)[0]!, 6);
    expect(got.get('due date')).toHaveLength(64);
    expect((await h.store.getQueryEmbeddings({ ...space, model: 'x' }, ['due date'])).size).toBe(0);
    expect((await h.store.getQueryEmbeddings(emulator, ['due date'])).size).toBe(0);
    expect((await h.store.getQueryEmbeddings(space, [])).size).toBe(0);
    await expect(h.store.putQueryEmbeddings(space, [{ text: 'q', vector: [1, 0] }])).rejects.toThrow(/2 dimensions, expected 64/);
    await expect(h.store.putChunkEmbeddings(space, [{ chunkId: 'x:0', vector: [1, 0] }])).rejects.toThrow(/2 dimensions, expected 64/);
    await expect(h.store.searchByVector(space, [1, 0], ['d'], 5)).rejects.toThrow(/2 dimensions, expected 64/);
  });

  it('never ranks with another endpoint\'s vectors, though model and size are the same', async () => {
    const doc = await put('Governing law: England.\n\nPayment within thirty days.');
    const q = hashedEmbedding('governing law', 64);
    expect(await h.store.searchByVector(emulator, q, [doc.id], 5)).toEqual([]);
    // The emulator's own vectors (here the reverse of Google's) rank for the emulator only.
    const chunks = await h.store.chunksWithoutEmbedding(emulator, [doc.id]);
    await h.store.putChunkEmbeddings(emulator, chunks.map((c) => ({ chunkId: c.chunkId, vector: hashedEmbedding(c.text, 64).map((x) => -x) })));
    const google = await h.store.searchByVector(space, q, [doc.id], 5);
    const other = await h.store.searchByVector(emulator, q, [doc.id], 5);
    expect(google.map((x) => x.chunkId)).toEqual([...other.map((x) => x.chunkId)].reverse());
    expect(google[0]!.score).toBeCloseTo(-other[other.length - 1]!.score, 5);
  });

  it('keeps spaces of different sizes side by side', async () => {
    const doc = await h.store.putDocument({ name: 'a', mimeType: 'text/plain', text: 'One.\n\nTwo.' }, chunkText('One.\n\nTwo.', { maxTokens: 2 }));
    const small = { ...space, dimensions: 8 };
    const chunks = await h.store.listChunks([doc.id]);
    await h.store.putChunkEmbeddings(small, chunks.map((c) => ({ chunkId: c.chunkId, vector: hashedEmbedding(String(c.seq), 8) })));
    await h.store.putChunkEmbeddings(space, chunks.map((c) => ({ chunkId: c.chunkId, vector: hashedEmbedding(String(c.seq), 64) })));
    expect((await h.store.searchByVector(small, hashedEmbedding('1', 8), [doc.id], 1))[0]!.seq).toBe(1);
    expect((await h.store.searchByVector(space, hashedEmbedding('0', 64), [doc.id], 1))[0]!.seq).toBe(0);
  });

  it('fuses BM25 and vector hits in searchFields when the space is given, and falls back to BM25 without it', async () => {
    const doc = await put('Payment terms: thirty days net.\n\nGoverning law: England.\n\nThe parties agree to cooperate.');
    const field = { key: 'governing_law', label: 'Governing law', type: 'string' as const };
    const lexical = await searchFields(h.store, [field], [doc.id], { topK: 2 });
    // No query vector stored yet: the same as lexical even with the space.
    expect(await searchFields(h.store, [field], [doc.id], { topK: 2, embeddings: space })).toEqual(lexical);
    const query = buildFieldQuery(field);
    await h.store.putQueryEmbeddings(space, [{ text: query, vector: hashedEmbedding(query, 64) }]);
    const hybrid = await searchFields(h.store, [field], [doc.id], { topK: 2, embeddings: space });
    expect(hybrid.governing_law![0]!.chunkId).toBe(lexical.governing_law![0]!.chunkId);
    // Fused scores are reciprocal-rank sums, not BM25 scores.
    expect(hybrid.governing_law![0]!.score).toBeLessThan(1);
  });
});
