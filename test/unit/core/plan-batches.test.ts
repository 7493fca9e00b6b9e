import { describe, expect, it } from 'vitest';
import { planBatches, splitBatch, type ContextRef, type PlanField, type PlanOptions } from '../../../src/core/plan-batches.js';

const chunk = (doc: string, seq: number, tokens = 100): ContextRef => ({ chunkId: `${doc}:${seq}`, documentId: doc, seq, tokens, score: 1 });
const field = (key: string, context: ContextRef[], specTokens = 40, outputTokens = 80): PlanField => ({ key, specTokens, outputTokens, context });
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
