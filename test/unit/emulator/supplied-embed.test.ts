/** @module Unit tests of the emulator's `embed` option: batchEmbedContents answered by a supplied function. */
import { describe, expect, it } from 'vitest';
import { createState } from '../../../src/emulator/emulator-state.js';
import { hashedEmbedding } from '../../../src/emulator/hashed-embedding.js';
import { handleModelRequest } from '../../../src/emulator/model-endpoints.js';
import type { EmbedFunction, EmulatorOptions } from '../../../src/emulator/types.js';

const PATH = '/v1beta/models/gemini-embedding-001:batchEmbedContents';

/** One batchEmbedContents request straight into the handler, as the server would pass it. */
async function embedRequest(options: EmulatorOptions, requests: { text: string; taskType?: string; outputDimensionality?: number }[]) {
  const state = createState({ log: () => undefined, ...options });
  const body = {
    requests: requests.map(({ text, ...rest }) => ({ model: 'models/gemini-embedding-001', content: { parts: [{ text }] }, ...rest })),
  };
  const reply = await handleModelRequest(state, { method: 'POST', path: PATH, apiKey: 'k', rawBody: JSON.stringify(body) });
  return { reply, state };
}

describe('the embed option', () => {
  it('answers with the supplied vectors, one call per run of items sharing task and size, in order', async () => {
    const calls: [string[], string | undefined, number | undefined][] = [];
    const embed: EmbedFunction = async (texts, task, dimensions) => {
      calls.push([texts, task, dimensions]);
      return texts.map((t) => [t.length, task === 'RETRIEVAL_QUERY' ? 1 : 0, dimensions ?? -1]);
    };
    const { reply, state } = await embedRequest({ embed }, [
      { text: 'a', taskType: 'RETRIEVAL_DOCUMENT', outputDimensionality: 3 },
      { text: 'bb', taskType: 'RETRIEVAL_DOCUMENT', outputDimensionality: 3 },
      { text: 'ccc', taskType: 'RETRIEVAL_QUERY', outputDimensionality: 3 },
    ]);

    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ embeddings: [{ values: [1, 0, 3] }, { values: [2, 0, 3] }, { values: [3, 1, 3] }] });
    expect(calls).toEqual([
      [['a', 'bb'], 'RETRIEVAL_DOCUMENT', 3],
      [['ccc'], 'RETRIEVAL_QUERY', 3],
    ]);
    expect(state.requests[0]).toMatchObject({ endpoint: 'batchEmbedContents', status: 200, promptText: 'a\nbb\nccc' });
  });

  it('answers 500, naming the fault, when the function returns too few vectors', async () => {
    const { reply, state } = await embedRequest({ embed: async () => [] }, [{ text: 'a' }]);
    expect(reply.status).toBe(500);
    expect(state.requests[0]?.error).toMatch(/returned 0 vectors for 1 texts/);
  });

  it('keeps the hashed bag of words when no function is given', async () => {
    const { reply } = await embedRequest({}, [{ text: 'monthly rent', outputDimensionality: 16 }]);
    expect(reply.body).toEqual({ embeddings: [{ values: hashedEmbedding('monthly rent', 16) }] });
  });
});
