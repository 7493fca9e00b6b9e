/** The Gemini client's embed method: the real @google/genai over HTTP to the emulator's batchEmbedContents. */
import { afterEach, describe, expect, it } from 'vitest';
import { classifyGeminiError } from '../../src/core/classify-gemini-error.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { GeminiCallError, createGeminiClient } from '../../src/gemini/gemini-client.js';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
});

describe('GeminiClient.embed', () => {
  it('sends one batchEmbedContents request with the task type and size, and returns unit vectors in order', async () => {
    emulator = await startEmulator();
    const gemini = createGeminiClient({ apiKey: 'k', baseUrl: emulator.url, model: 'gemini-3.5-flash' });
    const vectors = await gemini.embed({ texts: ['Governing law: England.', 'Payment within 30 days.'], task: 'RETRIEVAL_DOCUMENT', dimensions: 768 });

    expect(vectors).toHaveLength(2);
    for (const v of vectors) {
      expect(v).toHaveLength(768);
      expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    }
    expect(vectors[0]).not.toEqual(vectors[1]);
    const [req] = emulator.requests;
    expect(req).toMatchObject({ endpoint: 'batchEmbedContents', model: 'gemini-embedding-001' });
    const body = req!.body as { requests: { model: string; taskType: string; outputDimensionality: number; content: { parts: { text: string }[] } }[] };
    expect(body.requests.map((r) => [r.model, r.taskType, r.outputDimensionality, r.content.parts[0]!.text])).toEqual([
      ['models/gemini-embedding-001', 'RETRIEVAL_DOCUMENT', 768, 'Governing law: England.'],
      ['models/gemini-embedding-001', 'RETRIEVAL_DOCUMENT', 768, 'Payment within 30 days.'],
    ]);
  });

  it("returns the emulator's supplied embed function's vectors through the SDK, told the task and size", async () => {
    const seen: [string[], string | undefined, number | undefined][] = [];
    emulator = await startEmulator({
      // Not unit length: the client normalises, so [3, 4, 0] must come back as [0.6, 0.8, 0].
      embed: async (texts, task, dimensions) => {
        seen.push([texts, task, dimensions]);
        return texts.map((_, i) => [3, 4, i]);
      },
    });
    const gemini = createGeminiClient({ apiKey: 'k', baseUrl: emulator.url, model: 'gemini-3.5-flash' });
    const vectors = await gemini.embed({ texts: ['non-compete', 'exclusivity'], task: 'RETRIEVAL_QUERY', dimensions: 3 });

    expect(seen).toEqual([[['non-compete', 'exclusivity'], 'RETRIEVAL_QUERY', 3]]);
    expect(vectors[0]).toEqual([0.6, 0.8, 0]);
    expect(vectors[1]!.map((x) => x * Math.hypot(3, 4, 1))).toEqual([expect.closeTo(3, 9), expect.closeTo(4, 9), expect.closeTo(1, 9)]);
  });

  it('sends nothing for no texts, and reads a failed request like any other Gemini error', async () => {
    emulator = await startEmulator({ models: ['gemini-3.5-flash'] });
    const gemini = createGeminiClient({ apiKey: 'k', baseUrl: emulator.url, model: 'gemini-3.5-flash' });
    expect(await gemini.embed({ texts: [], task: 'RETRIEVAL_QUERY', dimensions: 768 })).toEqual([]);
    expect(emulator.requests).toHaveLength(0);
    const err = await gemini.embed({ texts: ['q'], task: 'RETRIEVAL_QUERY', dimensions: 768 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GeminiCallError);
    expect((err as GeminiCallError).record).toMatchObject({ kind: 'http', status: 404 });
  });

  it('reads vectors of the wrong size as a malformed answer, a typed error the activity classifies', async () => {
    emulator = await startEmulator();
    const gemini = createGeminiClient({ apiKey: 'k', baseUrl: emulator.url, model: 'gemini-3.5-flash' });
    emulator.inject({ kind: 'wrong-dimensions', endpoint: 'batchEmbedContents' });
    const err = await gemini.embed({ texts: ['a', 'b'], task: 'RETRIEVAL_DOCUMENT', dimensions: 768 }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(GeminiCallError);
    const record = (err as GeminiCallError).record;
    expect(record).toEqual({ kind: 'malformed', message: 'embedding 0 has 3072 dimensions, not the 768 asked for' });
    expect(classifyGeminiError(record)).toMatchObject({ kind: 'malformed' });
    // One request: the client never retries (Temporal owns retries).
    expect(emulator.requests).toHaveLength(1);
  });

  it('reads a 429 on an embedding request like one on generateContent', async () => {
    emulator = await startEmulator();
    const gemini = createGeminiClient({ apiKey: 'k', baseUrl: emulator.url, model: 'gemini-3.5-flash' });
    emulator.inject({ kind: 'rate-limit', quota: 'per-minute', retryDelay: '4s', endpoint: 'batchEmbedContents' });
    const err = await gemini.embed({ texts: ['q'], task: 'RETRIEVAL_QUERY', dimensions: 768 }).catch((e: unknown) => e);
    expect(classifyGeminiError((err as GeminiCallError).record)).toMatchObject({ kind: 'rate-limited', quota: 'requests-per-minute', delayMs: 4_000 });
  });
});

describe('GeminiClient.endpoint', () => {
  it("names the emulator by its base URL, and Google's API as gemini", async () => {
    emulator = await startEmulator();
    expect(createGeminiClient({ apiKey: 'k', baseUrl: `${emulator.url}/`, model: 'm' }).endpoint).toBe(emulator.url);
    expect(createGeminiClient({ apiKey: 'k', model: 'm' }).endpoint).toBe('gemini');
    expect(createGeminiClient({ apiKey: 'k', baseUrl: 'https://generativelanguage.googleapis.com', model: 'm' }).endpoint).toBe('gemini');
  });
});
