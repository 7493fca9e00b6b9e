/** A Gemini-compatible server whose embeddings come back the wrong size, on a real Temporal dev server: the
 * embedding activity gets one more try, not eight over minutes, and the fill goes on with BM25. */
import { describe, expect, it } from 'vitest';
import { useDevServerRigs } from '../helpers/dev-server-rigs.js';

const { rig } = useDevServerRigs();

describe('a wrong-shaped embedding answer', () => {
  it('is tried at most once more, then the fill completes with keyword search alone and says so', async () => {
    const r = await rig();
    const { templateId, documentIds } = await r.loadExample();
    // Every embedding answer is 3072 values whatever size is asked: a server that ignores outputDimensionality.
    r.emulator.inject({ kind: 'wrong-dimensions', endpoint: 'batchEmbedContents', count: 20 });
    // Too small for the documents to ride along whole, so the fill asks for vectors.
    const result = await r.fill({ templateId, documentIds, options: { maxInputTokens: 1_600 } });

    const embeds = r.emulator.requests.filter((q) => q.endpoint === 'batchEmbedContents');
    expect(embeds).toHaveLength(2);
    expect(embeds.every((q) => q.faults?.includes('wrong-dimensions'))).toBe(true);
    expect(result.status).toBe('completed');
    expect(result.notices?.join(' ')).toMatch(/Vector search was unavailable \(.*3072 dimensions/);
    expect(result.fields.filter((f) => f.status === 'filled').length).toBeGreaterThan(20);
    // The retry is counted like any other Gemini retry, and the malformed answers as errors, not answers.
    expect(result.usage.retries).toBeGreaterThanOrEqual(1);
  });
});
