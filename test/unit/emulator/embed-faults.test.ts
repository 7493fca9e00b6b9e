/** @module Unit tests of faults on batchEmbedContents: which endpoint a fault answers, error faults on embeddings,
 * and the wrong-dimensions answer of a server that ignores outputDimensionality. */
import { describe, expect, it } from 'vitest';
import { createState } from '../../../src/emulator/emulator-state.js';
import { FaultQueue } from '../../../src/emulator/fault-queue.js';
import { handleModelRequest } from '../../../src/emulator/model-endpoints.js';
import type { EmulatorState } from '../../../src/emulator/emulator-state.js';
import type { Fault } from '../../../src/emulator/types.js';

const EMBED = '/v1beta/models/gemini-embedding-001:batchEmbedContents';
const GENERATE = '/v1beta/models/m:generateContent';

function embedBody(texts: string[], outputDimensionality = 8) {
  return JSON.stringify({
    requests: texts.map((text) => ({ model: 'models/gemini-embedding-001', content: { parts: [{ text }] }, outputDimensionality })),
  });
}

function generateBody() {
  return JSON.stringify({
    contents: [{ role: 'user', parts: [{ text: 'The party is Acme.' }] }],
    generationConfig: { responseMimeType: 'application/json', responseJsonSchema: { type: 'object', properties: { party: { type: 'object' } } } },
  });
}

const send = (state: EmulatorState, path: string, rawBody: string) => handleModelRequest(state, { method: 'POST', path, apiKey: 'k', rawBody });
const newState = () => createState({ log: () => undefined });

describe('faults on batchEmbedContents', () => {
  it('a fault without an endpoint waits for a generateContent request, passing embedding requests by', async () => {
    const state = newState();
    state.faults.push({ kind: 'status', status: 503 });
    expect((await send(state, EMBED, embedBody(['a']))).status).toBe(200);
    expect((await send(state, GENERATE, generateBody())).status).toBe(503);
  });

  it('an error fault for batchEmbedContents answers the next embedding request, not a generateContent one', async () => {
    const state = newState();
    state.faults.push({ kind: 'rate-limit', quota: 'per-minute', retryDelay: '3s', endpoint: 'batchEmbedContents' });
    expect((await send(state, GENERATE, generateBody())).status).toBe(200);
    const reply = await send(state, EMBED, embedBody(['a', 'b']));
    expect(reply.status).toBe(429);
    expect(JSON.stringify(reply.body)).toContain('RetryInfo');
    expect(state.requests[1]).toMatchObject({ endpoint: 'batchEmbedContents', status: 429, faults: ['rate-limit'] });
    expect((await send(state, EMBED, embedBody(['a'])).then((r) => r.status))).toBe(200);
  });

  it('wrong-dimensions answers vectors of another size than asked, `count` times', async () => {
    const state = newState();
    state.faults.push({ kind: 'wrong-dimensions', endpoint: 'batchEmbedContents', count: 2 });
    const sizes = async () => {
      const reply = await send(state, EMBED, embedBody(['a', 'b'], 8));
      return (reply.body as { embeddings: { values: number[] }[] }).embeddings.map((e) => e.values.length);
    };
    expect(await sizes()).toEqual([3072, 3072]);
    expect(await sizes()).toEqual([3072, 3072]);
    expect(await sizes()).toEqual([8, 8]);

    state.faults.push({ kind: 'wrong-dimensions', endpoint: 'batchEmbedContents', dimensions: 5 });
    expect(await sizes()).toEqual([5, 5]);
    expect(state.requests.map((r) => r.faults ?? [])).toEqual([['wrong-dimensions'], ['wrong-dimensions'], [], ['wrong-dimensions']]);
  });

  it.each<[string, Fault, RegExp]>([
    ['wrong-dimensions on generateContent', { kind: 'wrong-dimensions' }, /batchEmbedContents answers only; set endpoint: 'batchEmbedContents'/],
    ['truncate on batchEmbedContents', { kind: 'truncate', endpoint: 'batchEmbedContents' }, /generateContent answers only/],
    ['an unknown endpoint', { kind: 'status', status: 503, endpoint: 'countTokens' as never }, /endpoint must be/],
    ['a size that is no size', { kind: 'wrong-dimensions', endpoint: 'batchEmbedContents', dimensions: 0 }, /dimensions must be an integer >= 1/],
  ])('refuses %s when it is queued', (_name, fault, message) => {
    expect(() => new FaultQueue().push(fault)).toThrow(message);
  });
});
