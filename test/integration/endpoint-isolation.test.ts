/** Answers never cross endpoints, on a real Temporal dev server with the real SDK over HTTP: two emulators with
 * different gold share one store, and each fill is answered by the endpoint it was sent to, and says so. */
import { describe, expect, it } from 'vitest';
import { goldAnswers, type GoldTable } from '../../src/emulator/index.js';
import { exampleGold, type Rig } from '../helpers/fill-harness.js';
import { useDevServerRigs } from '../helpers/dev-server-rigs.js';

const { rig } = useDevServerRigs();

/** Emulator B's gold: the example's, with values only B answers (the quotes stay, so they still ground). */
const B_VALUES: Record<string, unknown> = {
  legal_name: 'Harbour Lane Logistics (answered by B)',
  trading_name: 'Harbour Lane Freight (answered by B)',
  bank_name: 'Bank of B',
  employee_count: 249,
};
function goldB(): GoldTable {
  const gold = exampleGold();
  for (const [key, value] of Object.entries(B_VALUES)) gold[key] = { ...gold[key]!, value };
  return gold;
}

const generate = (r: Rig) => r.emulator.requests.filter((q) => q.endpoint === 'generateContent');
const embeds = (r: Rig) => r.emulator.requests.filter((q) => q.endpoint === 'batchEmbedContents');
const valueOf = (result: { fields: { key: string; value: unknown }[] }, key: string) => result.fields.find((f) => f.key === key)?.value;

/** Rig A, and rig B on A's store file with its own emulator and gold. */
async function twoEndpoints(): Promise<{ a: Rig; b: Rig }> {
  const a = await rig();
  const b = await rig({ env: { FILLFLOW_DB: a.config.dbPath }, emulator: { answer: goldAnswers(goldB()) } });
  expect(b.emulator.url).not.toBe(a.emulator.url);
  return { a, b };
}

describe('answers keyed by endpoint', () => {
  it("a second endpoint on the same store is asked, not served A's cached answers, and each result names its endpoint", async () => {
    const { a, b } = await twoEndpoints();
    const { templateId, documentIds } = await a.loadExample();

    const fromA = await a.fill({ templateId, documentIds });
    expect(fromA.status).toBe('completed');
    expect(fromA.answeredBy).toEqual({ model: 'gemini-3.5-flash', endpoint: a.emulator.url });
    const sentToA = a.emulator.requests.length;

    const fromB = await b.fill({ templateId, documentIds });
    expect(fromB.status).toBe('completed');
    expect(generate(b).length).toBeGreaterThan(0);
    expect(a.emulator.requests.length).toBe(sentToA);
    expect(fromB.answeredBy).toEqual({ model: 'gemini-3.5-flash', endpoint: b.emulator.url });
    expect(fromB.usage).toMatchObject({ apiCalls: generate(b).length, cacheHits: 0 });
    for (const [key, value] of Object.entries(B_VALUES)) {
      expect(valueOf(fromB, key)).toEqual(value);
      expect(valueOf(fromB, key)).not.toEqual(valueOf(fromA, key));
    }
    expect(fromB.fields.every((f) => f.method === 'gemini')).toBe(true);

    // And back: A's fill is answered from A's cache, with A's values, and B hears nothing of it.
    const sentToB = b.emulator.requests.length;
    const againA = await a.fill({ templateId, documentIds });
    expect(a.emulator.requests.length).toBe(sentToA);
    expect(b.emulator.requests.length).toBe(sentToB);
    expect(againA.usage).toMatchObject({ apiCalls: 0, cacheHits: fromA.usage.apiCalls });
    expect(againA.answeredBy).toEqual(fromA.answeredBy);
    expect(againA.fields.map((f) => f.value)).toEqual(fromA.fields.map((f) => f.value));
  });

  it("embeds again for a second endpoint when retrieval chooses the passages: A's vectors do not rank B's", async () => {
    const { a, b } = await twoEndpoints();
    const { templateId, documentIds } = await a.loadExample();
    // Too small for the documents to ride along whole: retrieval (BM25 and vectors) picks each batch's passages.
    const options = { maxInputTokens: 1_600 };

    const fromA = await a.fill({ templateId, documentIds, options });
    expect(embeds(a).length).toBeGreaterThan(0);
    const fromB = await b.fill({ templateId, documentIds, options });

    expect(embeds(b).length).toBeGreaterThan(0);
    expect(generate(b).length).toBeGreaterThan(0);
    expect(fromB.answeredBy.endpoint).toBe(b.emulator.url);
    expect(fromB.notices ?? []).not.toContainEqual(expect.stringMatching(/Vector search was unavailable/));
    const answeredByB = Object.keys(B_VALUES).filter((key) => JSON.stringify(valueOf(fromB, key)) === JSON.stringify(B_VALUES[key]));
    expect(answeredByB.length).toBeGreaterThanOrEqual(3);
    expect(fromA.answeredBy.endpoint).toBe(a.emulator.url);
  });
});
