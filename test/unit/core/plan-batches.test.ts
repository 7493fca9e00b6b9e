import type { ChunkRef } from '../../../src/core/chunk-ref.js';
import { describe, expect, it } from 'vitest';
import { PASSAGE_FRAME_TOKENS, planBatches, planWidening, splitBatch, type PlanField, type PlanOptions } from '../../../src/core/plan-batches.js';

const chunk = (doc: string, seq: number, tokens = 100): ChunkRef => ({ chunkId: `${doc}:${seq}`, documentId: doc, seq, tokens, score: 1 });
const field = (key: string, context: ChunkRef[], specTokens = 40, outputTokens = 80): PlanField => ({ key, specTokens, outputTokens, context });
const opts = (o: Partial<PlanOptions> = {}): PlanOptions => ({ maxBatchSize: 15, maxInputTokens: 4_000, maxOutputTokens: 8_000, baseTokens: 400, ...o });

describe('planBatches in whole-document mode', () => {
  const corpus = [chunk('b', 0), chunk('a', 1), chunk('a', 0)];

  it('sends all passages, in reading order, in as few calls as the batch cap allows', () => {
    const fields = Array.from({ length: 30 }, (_, i) => field(`f${i}`, []));
    const plan = planBatches(fields, corpus, opts());
    expect(plan.wholeDocuments).toBe(true);
    expect(plan.batches.map((b) => b.fieldKeys.length)).toEqual([15, 15]);
    expect(plan.batches[0]!.chunkIds).toEqual(['a:0', 'a:1', 'b:0']);
    expect(plan.withoutContext).toEqual([]);
  });

  it('lets the output budget, not only the count, close a batch', () => {
    const fields = Array.from({ length: 10 }, (_, i) => field(`f${i}`, [], 40, 300));
    const plan = planBatches(fields, corpus, opts({ maxOutputTokens: 1_000 }));
    expect(plan.batches.map((b) => b.fieldKeys.length)).toEqual([3, 3, 3, 1]);
    for (const b of plan.batches) expect(b.outputTokens).toBeLessThanOrEqual(1_000);
  });

  it('is not chosen when the corpus does not fit beside the field descriptions', () => {
    const big = Array.from({ length: 40 }, (_, i) => chunk('a', i));
    const fields = [field('x', [big[3]!])];
    expect(planBatches(fields, big, opts()).wholeDocuments).toBe(false);
  });
});

describe('planBatches by retrieval', () => {
  const big = Array.from({ length: 60 }, (_, i) => chunk('doc', i, 300));

  it('groups fields that share passages and sends each passage once per call', () => {
    const fields = [
      field('a', [big[0]!, big[1]!]),
      field('b', [big[40]!, big[41]!]),
      field('c', [big[1]!, big[0]!]),
      field('d', [big[41]!]),
    ];
    const plan = planBatches(fields, [], opts({ maxInputTokens: 1_500 }));
    expect(plan.batches.map((b) => b.fieldKeys)).toEqual([
      ['a', 'c'],
      ['b', 'd'],
    ]);
    expect(plan.batches[0]!.chunkIds).toEqual(['doc:0', 'doc:1']);
    for (const b of plan.batches) expect(b.inputTokens).toBeLessThanOrEqual(1_500);
  });

  it('never exceeds the input budget, trimming a field\'s passages to fit', () => {
    const fields = Array.from({ length: 12 }, (_, i) => field(`f${i}`, big.slice(i * 4, i * 4 + 8)));
    const plan = planBatches(fields, [], opts({ maxInputTokens: 3_000 }));
    for (const b of plan.batches) expect(b.inputTokens).toBeLessThanOrEqual(3_000);
    expect(plan.batches.flatMap((b) => b.fieldKeys).sort()).toEqual(fields.map((f) => f.key).sort());
  });

  it('asks nothing about fields without any passage', () => {
    const plan = planBatches([field('lost', []), field('found', [big[0]!])], [], opts());
    expect(plan.withoutContext).toEqual(['lost']);
    expect(plan.batches.flatMap((b) => b.fieldKeys)).toEqual(['found']);
  });

  it('is deterministic', () => {
    const fields = Array.from({ length: 20 }, (_, i) => field(`f${i}`, [big[(i * 7) % 60]!, big[(i * 3) % 60]!]));
    expect(planBatches(fields, [], opts())).toEqual(planBatches(fields, [], opts()));
  });
});

describe('splitBatch', () => {
  it('halves the fields and keeps only the passages each half uses', () => {
    const c = [chunk('d', 0), chunk('d', 1), chunk('d', 2)];
    const fields = [field('a', [c[0]!]), field('b', [c[1]!]), field('c', [c[2]!])];
    const plan = planBatches(fields, [], opts({ maxInputTokens: 2_000, baseTokens: 100 }));
    expect(plan.batches).toHaveLength(1);
    const halves = splitBatch(plan.batches[0]!, new Map(fields.map((f) => [f.key, f])), opts({ maxInputTokens: 2_000, baseTokens: 100 }), false);
    expect(halves.map((h) => [h.id, h.fieldKeys, h.chunkIds])).toEqual([
      ['b0.0', ['a', 'b'], ['d:0', 'd:1']],
      ['b0.1', ['c'], ['d:2']],
    ]);
  });

  it('returns nothing for a single field', () => {
    const f = field('a', [chunk('d', 0)]);
    const plan = planBatches([f], [], opts());
    expect(splitBatch(plan.batches[0]!, new Map([[f.key, f]]), opts(), false)).toEqual([]);
  });
});

describe('planBatches: ranked passages cut to the budget', () => {
  const c = Array.from({ length: 20 }, (_, i) => chunk('doc', i, 200));

  it('forms batches on each field\'s best passages, then spends the budget left on further ones, shared first', () => {
    // Both fields rank doc:5 third: shared, it outranks each field's own third and fourth passages.
    const a = field('a', [c[0]!, c[1]!, c[5]!, c[6]!]);
    const b = field('b', [c[2]!, c[3]!, c[5]!, c[7]!]);
    const budget = 400 + 80 + 5 * (200 + PASSAGE_FRAME_TOKENS);
    const plan = planBatches([a, b], [], opts({ maxInputTokens: budget, baseTokens: 400 }));
    expect(plan.batches).toHaveLength(1);
    expect(plan.batches[0]!.chunkIds).toEqual(['doc:0', 'doc:1', 'doc:2', 'doc:3', 'doc:5']);
    expect(plan.batches[0]!.inputTokens).toBe(budget);
  });

  it('keeps to maxChunksPerField even when the budget has room', () => {
    const a = field('a', c.slice(0, 10));
    const plan = planBatches([a], [], opts({ maxInputTokens: 100_000, maxChunksPerField: 3 }));
    expect(plan.batches[0]!.chunkIds).toHaveLength(3);
  });
});

describe('planBatches: openings', () => {
  it('offers each document\'s opening passage to every retrieval batch, ahead of a single field\'s extras', () => {
    const c = Array.from({ length: 10 }, (_, i) => chunk('doc', i, 100));
    const a = field('a', [c[4]!, c[5]!, c[6]!, c[7]!]);
    const plan = planBatches([a], [], opts({ maxInputTokens: 400 + 40 + 4 * 120, coreChunksPerField: 3, openings: [c[0]!] }));
    expect(plan.batches[0]!.chunkIds).toEqual(['doc:0', 'doc:4', 'doc:5', 'doc:6']);
  });
});

describe('planWidening', () => {
  const c = Array.from({ length: 30 }, (_, i) => chunk('doc', i, 300));
  const ranked = (from: number, n: number) => c.slice(from, from + n);

  it('sends each unanswered field only the passages it retrieved and was not sent, up to maxChunksPerField', () => {
    const a = field('a', ranked(0, 12));
    const sent = new Map([['a', ['doc:0', 'doc:1', 'doc:2', 'doc:20']]]);
    const batches = planWidening([a], sent, opts({ maxInputTokens: 100_000, maxChunksPerField: 6, openings: [c[29]!] }));
    expect(batches).toHaveLength(1);
    expect(batches[0]!.id).toBe('w0');
    // Ranks 4 to 9; the openings went in the first round and do not come again.
    expect(batches[0]!.chunkIds).toEqual(['doc:3', 'doc:4', 'doc:5', 'doc:6', 'doc:7', 'doc:8']);
  });

  it('leaves out a field with nothing unsent, and plans nothing when no field is left', () => {
    const a = field('a', ranked(0, 2));
    const b = field('b', ranked(10, 3));
    const sent = new Map([['a', ['doc:0', 'doc:1']], ['b', ['doc:10']]]);
    const batches = planWidening([a, b], sent, opts({ maxInputTokens: 100_000 }));
    expect(batches.map((x) => x.fieldKeys)).toEqual([['b']]);
    expect(planWidening([a], sent, opts())).toEqual([]);
    expect(planWidening([], sent, opts())).toEqual([]);
  });

  it('keeps every call within the input budget', () => {
    const fields = ['a', 'b', 'c'].map((k, i) => field(k, ranked(i * 10, 10)));
    const batches = planWidening(fields, new Map(), opts({ maxInputTokens: 2_000 }));
    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches) expect(b.inputTokens).toBeLessThanOrEqual(2_000);
    expect(new Set(batches.flatMap((b) => b.fieldKeys))).toEqual(new Set(['a', 'b', 'c']));
  });
});
