/** The planning step every caller shares (the workflow, the dry run, the benchmarks): what it asks of its caller
 * and the planner options it builds for each planner version. */
import { describe, expect, it } from 'vitest';
import type { ChunkRef, EmbeddingSpace } from '../../../src/core/chunk-ref.js';
import { DEFAULT_FILL_OPTIONS } from '../../../src/core/fill-options.js';
import type { FillOptions, PrepareFillResult } from '../../../src/core/fill-records.js';
import { BASE_PROMPT_TOKENS, type PlanField } from '../../../src/core/plan-batches.js';
import { PLANNER_1_DEFAULTS, planFill, planner1Options, planOptionsFor, requestOutputTokens } from '../../../src/core/plan-fill.js';

const chunk = (seq: number, tokens = 500): ChunkRef => ({ chunkId: `d:${seq}`, documentId: 'd', seq, tokens, score: 0 });
const options: FillOptions = { ...DEFAULT_FILL_OPTIONS, maxBatchSize: 200, maxInputTokens: 4_000, maxOutputTokens: 65_536 };
const space: EmbeddingSpace = { endpoint: 'e', model: 'm', dimensions: 8 };

function prep(corpus: ChunkRef[], corpusTokens: number): PrepareFillResult {
  const fields = ['a', 'b'].map((key) => ({ key, specTokens: 50, outputTokens: 80, context: [] }));
  return {
    fieldKeys: ['a', 'b'],
    fields,
    groups: [['a'], ['b']],
    corpus,
    corpusTokens,
    openings: [chunk(0)],
    modelOutputTokens: 8_192,
    scarcity: { scarce: 'tokens', requestsLeftToday: 1, requestsLeftThisMinute: 1, tokensLeftThisMinute: 1, reason: 'test' },
  };
}

/** Steps that record what planning asked of them. */
function steps(context: (key: string) => ChunkRef[]) {
  const asked: string[] = [];
  return {
    asked,
    embed: async () => {
      asked.push('embed');
      return space;
    },
    gather: async (embedding?: EmbeddingSpace) => {
      asked.push(`gather${embedding ? ' with vectors' : ''}`);
      return [['a'], ['b']].map((group) => group.map((key): PlanField => ({ key, specTokens: 50, outputTokens: 80, context: context(key) })));
    },
  };
}

describe('planFill', () => {
  it('sends a corpus that fits whole without searching it', async () => {
    const p = prep([chunk(0), chunk(1)], 1_000);
    const s = steps(() => []);
    const { plan, planFields } = await planFill(p, planOptionsFor(options, p, 2), s);
    expect(s.asked).toEqual([]);
    expect(plan.wholeDocuments).toBe(true);
    expect([...planFields.keys()]).toEqual(['a', 'b']);
  });

  it('otherwise embeds first, then gathers every group once with the vectors, and plans in template order', async () => {
    const p = prep([], 50_000);
    const s = steps((key) => [chunk(key === 'a' ? 10 : 20)]);
    const { plan } = await planFill(p, planOptionsFor(options, p, 2), s);
    expect(s.asked).toEqual(['embed', 'gather with vectors']);
    expect(plan.wholeDocuments).toBe(false);
    expect(plan.batches.flatMap((b) => b.fieldKeys)).toEqual(['a', 'b']);
  });
});

describe('planFill, planner 3 with tokens scarce: a corpus that would ride along for free is searched if that saves enough', () => {
  // 4,000-token calls: a corpus over 1,000 tokens is not small. Two fields and eight chunks of 400 fit one call whole.
  const corpus = Array.from({ length: 8 }, (_, i) => chunk(i, 400));
  const p = (): PrepareFillResult => ({ ...prep(corpus, 3_200), openings: [chunk(0, 400)] });
  const v3 = () => planOptionsFor(options, p(), 3);

  it('keeps the corpus whole, after one keyword search, when searching would send more than half of it', async () => {
    // Each field's best passages are most of the corpus: searching saves too little.
    const s = steps((key) => (key === 'a' ? [chunk(1, 400), chunk(2, 400), chunk(3, 400)] : [chunk(4, 400), chunk(5, 400), chunk(6, 400)]));
    const { plan } = await planFill(p(), v3(), s);
    expect(s.asked).toEqual(['gather']);
    expect(plan.wholeDocuments).toBe(true);
    expect(plan.batches).toHaveLength(1);
  });

  it('searches when that sends under half the whole corpus, with vectors once they exist', async () => {
    const s = steps((key) => [chunk(key === 'a' ? 3 : 6, 400)]);
    const { plan } = await planFill(p(), v3(), s);
    expect(s.asked).toEqual(['gather', 'embed', 'gather with vectors']);
    expect(plan.wholeDocuments).toBe(false);
    expect(plan.batches.flatMap((b) => b.chunkIds).sort()).toEqual(['d:0', 'd:3', 'd:6']);
  });

  it('keeps the keyword plan when no vectors can be made, without searching again', async () => {
    const s = steps((key) => [chunk(key === 'a' ? 3 : 6, 400)]);
    const { plan } = await planFill(p(), v3(), { ...s, embed: async () => (s.asked.push('embed'), undefined) });
    expect(s.asked).toEqual(['gather', 'embed']);
    expect(plan.wholeDocuments).toBe(false);
  });

  it('planner 2 sends the same corpus whole without searching', async () => {
    const s = steps((key) => [chunk(key === 'a' ? 3 : 6, 400)]);
    const { plan } = await planFill(p(), planOptionsFor(options, p(), 2), s);
    expect(s.asked).toEqual([]);
    expect(plan.wholeDocuments).toBe(true);
  });
});

describe('planOptionsFor and requestOutputTokens', () => {
  const p = prep([], 50_000);

  it('planner 1: the fill options as the workflow always passed them, and the option sent as it is', () => {
    expect(planOptionsFor(options, p, 1)).toEqual({ ...options, baseTokens: BASE_PROMPT_TOKENS, openings: [chunk(0)] });
    expect(requestOutputTokens(options, p, 1)).toBe(65_536);
  });

  it('planner 2: the model\'s answer limit and the scarce quota too, and never a longer answer than the model gives', () => {
    expect(planOptionsFor(options, p, 2)).toMatchObject({ planner: 2, modelOutputTokens: 8_192, scarce: 'tokens' });
    expect(requestOutputTokens(options, p, 2)).toBe(8_192);
    // A fill prepared before planner 2 has neither: the fill's own options stand.
    const old = { ...p, modelOutputTokens: undefined, scarcity: undefined };
    expect(planOptionsFor(options, old, 2)).not.toHaveProperty('scarce');
    expect(requestOutputTokens(options, old, 2)).toBe(65_536);
  });
});

describe('planner1Options', () => {
  it('gives the sizes a fill left out the values of planner 1\'s time, and keeps those it gave', () => {
    expect(planner1Options(DEFAULT_FILL_OPTIONS, undefined)).toEqual({ ...DEFAULT_FILL_OPTIONS, ...PLANNER_1_DEFAULTS });
    expect(planner1Options({ ...DEFAULT_FILL_OPTIONS, maxBatchSize: 30 }, { maxBatchSize: 30 })).toEqual({ ...DEFAULT_FILL_OPTIONS, ...PLANNER_1_DEFAULTS, maxBatchSize: 30 });
    // A fill started by an edge carries every size: nothing changes.
    expect(planner1Options(options, { ...options })).toEqual(options);
  });
});
