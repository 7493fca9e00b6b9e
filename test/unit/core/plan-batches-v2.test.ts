/** Planner 2: calls sized by what binds (the answer budget, the input budget, the batch ceiling), the corpus whole
 * when it costs no extra call, and passages beyond a field's best ones by the scarce quota and the agreement of
 * its searches. Planner 1 (no `planner` option) is tested in plan-batches.test.ts and must not move. */
import { describe, expect, it } from 'vitest';
import type { ChunkRef } from '../../../src/core/chunk-ref.js';
import {
  ANSWER_SHARE,
  answerBudget,
  fitsWholeCorpus,
  PASSAGE_FRAME_TOKENS,
  planBatches,
  planWidening,
  type PlanField,
  type PlanOptions,
} from '../../../src/core/plan-batches.js';

const chunk = (doc: string, seq: number, tokens = 100, score = 1): ChunkRef => ({ chunkId: `${doc}:${seq}`, documentId: doc, seq, tokens, score });
const field = (key: string, context: ChunkRef[], o: Partial<PlanField> = {}): PlanField => ({ key, specTokens: 40, outputTokens: 80, context, ...o });
const v1 = (o: Partial<PlanOptions> = {}): PlanOptions => ({ maxBatchSize: 15, maxInputTokens: 24_000, maxOutputTokens: 8_192, baseTokens: 400, ...o });
const v2 = (o: Partial<PlanOptions> = {}): PlanOptions => ({ ...v1({ maxBatchSize: 200, maxOutputTokens: 65_536 }), planner: 2, modelOutputTokens: 65_536, ...o });
const fields = (n: number, o: Partial<PlanField> = {}) => Array.from({ length: n }, (_, i) => field(`f${i}`, [], o));

describe('answerBudget', () => {
  it.each([
    ['planner 1: the option, whatever the model', v1({ modelOutputTokens: 65_536 }), 8_192],
    ['planner 2: half the model limit under a larger option', v2(), 65_536 * ANSWER_SHARE],
    ['planner 2: a smaller option wins', v2({ maxOutputTokens: 4_000 }), 4_000],
    ['planner 2, model unknown: the option', v2({ maxOutputTokens: 8_192, modelOutputTokens: undefined }), 8_192],
  ])('%s', (_name, opts, budget) => {
    expect(answerBudget(opts)).toBe(budget);
  });
});

describe('planner 2 with the documents whole', () => {
  const corpus = [chunk('a', 0, 3_000), chunk('b', 0, 2_000)];

  it('packs 200 fields in one call where planner 1 made 14', () => {
    const many = fields(200, { specTokens: 60, outputTokens: 95 });
    expect(planBatches(many, corpus, v1({ maxInputTokens: 32_000 })).batches).toHaveLength(14);
    const plan = planBatches(many, corpus, v2({ maxInputTokens: 32_000 }));
    expect(plan.wholeDocuments).toBe(true);
    expect(plan.batches.map((b) => b.fieldKeys.length)).toEqual([200]);
    expect(plan.batches[0]!.inputTokens).toBe(400 + 5_000 + 2 * PASSAGE_FRAME_TOKENS + 200 * 60);
  });

  it('closes a call on the answer budget, then on the ceiling', () => {
    const long = fields(10, { outputTokens: 5_000 });
    expect(planBatches(long, corpus, v2()).batches.map((b) => b.fieldKeys.length)).toEqual([6, 4]);
    expect(planBatches(fields(30), corpus, v2({ maxBatchSize: 12 })).batches.map((b) => b.fieldKeys.length)).toEqual([12, 12, 6]);
  });

  it('sends the corpus whole when that costs no call more than the fields need', () => {
    // 150 field descriptions of 200 tokens need two calls of 24,000 by themselves; 8,000 more fits beside each half.
    const many = fields(150, { specTokens: 200 });
    expect(fitsWholeCorpus(many, [chunk('a', 0, 8_000)], v2())).toBe(true);
    expect(planBatches(many, [chunk('a', 0, 8_000)], v2()).batches).toHaveLength(2);
    // A corpus that would make a third call is searched instead ...
    expect(fitsWholeCorpus(many, [chunk('a', 0, 12_000)], v2())).toBe(false);
    // ... unless it is small next to the input budget (a quarter or less): then it rides along anyway.
    // 117 descriptions fit one call; beside 5,000 tokens of corpus they take two.
    const one = fields(117, { specTokens: 200 });
    expect(fitsWholeCorpus(one, [chunk('a', 0, 5_000)], v2())).toBe(true);
    expect(planBatches(one, [chunk('a', 0, 5_000)], v2()).batches).toHaveLength(2);
  });

  it('never sends the corpus whole beside a field it does not fit with', () => {
    expect(fitsWholeCorpus([field('big', [], { specTokens: 20_000 })], [chunk('a', 0, 5_000)], v2())).toBe(false);
  });
});

describe('planner 3: with tokens scarce, only a small corpus rides along whole', () => {
  const v3 = (o: Partial<PlanOptions> = {}) => v2({ planner: 3, ...o });
  const few = fields(10);
  const corpus = [chunk('a', 0, 8_000)];

  it('searches a corpus planner 2 would send whole for free, when tokens are scarce', () => {
    // 10 fields and 8,000 tokens of corpus fit one 24,000-token call: planner 2 sends it whole whatever is scarce.
    expect(fitsWholeCorpus(few, corpus, v2({ scarce: 'tokens' }))).toBe(true);
    expect(fitsWholeCorpus(few, corpus, v3({ scarce: 'tokens' }))).toBe(false);
  });

  it.each(['neither', 'requests'] as const)('plans as planner 2 when %s is scarce', (scarce) => {
    expect(fitsWholeCorpus(few, corpus, v3({ scarce }))).toBe(true);
    expect(planBatches(few, corpus, v3({ scarce }))).toEqual(planBatches(few, corpus, v2({ scarce })));
  });

  it('still sends a small corpus (a quarter of the input budget or less) whole when tokens are scarce', () => {
    expect(fitsWholeCorpus(few, [chunk('a', 0, 5_000)], v3({ scarce: 'tokens' }))).toBe(true);
  });
});

describe('planner 2 by retrieval: passages beyond the best ones', () => {
  // Ten passages per field, none shared, so each field's extras are its own ranks 4 to 10.
  const ranked = (f: number) => Array.from({ length: 10 }, (_, i) => chunk(`d${f}`, i, 200));
  const three = [field('a', ranked(0)), field('b', ranked(1)), field('c', ranked(2))];
  const passages = (opts: PlanOptions, fs = three) => planBatches(fs, [], opts).batches.flatMap((b) => b.chunkIds).length;
  const roomy = { maxInputTokens: 20_000 };

  it.each([
    ['tokens scarce: core passages only', { scarce: 'tokens' as const }, 9],
    ['neither scarce: two more per field', { scarce: 'neither' as const }, 15],
    ['neither scarce, one more asked', { scarce: 'neither' as const, extraChunksPerField: 1 }, 12],
    ['requests scarce: up to ten per field while the call has room', { scarce: 'requests' as const }, 30],
  ])('%s', (_name, o, n) => {
    expect(passages(v2({ ...roomy, ...o }))).toBe(n);
  });

  it('planner 1 fills the call\'s room, as before', () => {
    expect(passages(v1(roomy))).toBe(30);
  });

  it('a field whose searches agree on its best passage brings two and no more', () => {
    const agreed = [field('a', ranked(0), { agreement: 0.9 }), field('b', ranked(1), { agreement: 0.3 }), field('c', ranked(2))];
    const plan = planBatches(agreed, [], v2(roomy));
    const sent = new Set(plan.batches.flatMap((b) => b.chunkIds));
    expect([...sent].filter((c) => c.startsWith('d0:')).sort()).toEqual(['d0:0', 'd0:1']);
    expect([...sent].filter((c) => c.startsWith('d1:'))).toHaveLength(5);
    expect([...sent].filter((c) => c.startsWith('d2:'))).toHaveLength(5);
    // Under requests scarcity agreement changes nothing: every call is filled.
    expect(passages(v2({ ...roomy, scarce: 'requests' }), agreed)).toBe(30);
  });

  it('the wider round offers a field not found the next five passages it was not sent, all of them when requests are scarce', () => {
    const a = field('a', ranked(0), { agreement: 0.9 });
    const first = planBatches([a], [], v2(roomy));
    expect(first.batches[0]!.chunkIds).toEqual(['d0:0', 'd0:1']);
    const sent = new Map([['a', first.batches[0]!.chunkIds]]);
    expect(planWidening([a], sent, v2(roomy))[0]!.chunkIds).toEqual(ranked(0).slice(2, 7).map((c) => c.chunkId));
    expect(planWidening([a], sent, v2({ ...roomy, scarce: 'requests' }))[0]!.chunkIds).toEqual(ranked(0).slice(2).map((c) => c.chunkId));
  });

  it('packs retrieval calls up to the ceiling when the budgets allow', () => {
    const shared = [chunk('s', 0, 100), chunk('s', 1, 100), chunk('s', 2, 100)];
    const many = Array.from({ length: 150 }, (_, i) => field(`f${i}`, shared));
    expect(planBatches(many, [], v1()).batches).toHaveLength(10);
    expect(planBatches(many, [], v2()).batches.map((b) => b.fieldKeys.length)).toEqual([150]);
  });
});
