/** A 200-field form on a real Temporal dev server, answered by the emulator's oracle: one call when the answer
 * fits the model's limit, and nothing lost when the model cuts its answer short (the finished fields are kept,
 * the rest bisected and asked again). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeValue } from '../../src/core/normalize-value.js';
import type { FillResult } from '../../src/core/types.js';
import { goldAnswers } from '../../src/emulator/index.js';
import { ingestPaths } from '../../src/retrieval/ingest.js';
import { useDevServerRigs } from '../helpers/dev-server-rigs.js';
import type { Rig } from '../helpers/fill-harness.js';
import { largeForm, type LargeForm } from '../helpers/large-form.js';

const { rig } = useDevServerRigs();
const form = largeForm(200);

async function loadForm(r: Rig, f: LargeForm): Promise<{ templateId: string; documentIds: string[] }> {
  const dir = join(r.dir, 'large-form');
  mkdirSync(dir, { recursive: true });
  for (const d of f.documents) writeFileSync(join(dir, d.name), d.text);
  const docs = await ingestPaths(r.store, [dir]);
  await r.store.putTemplate(f.template);
  return { templateId: f.template.id, documentIds: docs.map((d) => d.id) };
}

/** Every field filled with its gold value (normalised as the product normalises it), each from a quote found as written. */
async function expectEveryValueRight(r: Rig, result: FillResult): Promise<void> {
  expect(result.status).toBe('completed');
  expect(result.fields).toHaveLength(form.template.fields.length);
  for (const spec of form.template.fields) {
    const field = result.fields.find((f) => f.key === spec.key)!;
    const expected = normalizeValue(spec, form.gold[spec.key]!.value);
    expect(expected.ok, spec.key).toBe(true);
    expect({ key: spec.key, status: field.status, method: field.method, value: field.value }).toEqual({
      key: spec.key,
      status: 'filled',
      method: 'gemini',
      value: expected.ok ? expected.value : undefined,
    });
    expect(field.grounding, spec.key).toBe('exact');
    const source = field.sources[0]!;
    const text = await r.store.getDocumentText(source.documentId);
    expect(text!.slice(source.start, source.end), spec.key).toBe(source.quote);
  }
}

describe('a 200-field form', () => {
  it('fills in one call carrying the documents once, every value right with its quote', async () => {
    const r = await rig({ emulator: { answer: goldAnswers(form.gold) } });
    const { templateId, documentIds } = await loadForm(r, form);
    const result = await r.fill({ templateId, documentIds });

    const calls = r.emulator.requests.filter((q) => q.endpoint === 'generateContent');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.fieldKeys).toHaveLength(200);
    expect(calls[0]!.finishReason).toBe('STOP');
    // The request may run to the model's own limit: the planner kept the expected answer within half of it.
    expect((calls[0]!.body as { generationConfig: { maxOutputTokens: number } }).generationConfig.maxOutputTokens).toBe(65_536);
    expect(result.usage).toMatchObject({ apiCalls: 1, fieldsPerCall: 200 });
    await expectEveryValueRight(r, result);
  });

  it('loses nothing when the model cuts its answer at its output limit: finished fields stay, the rest are bisected', async () => {
    // The whole answer is about 6,200 tokens; a model that stops at 2,500 finishes about 80 fields.
    const r = await rig({ emulator: { answer: goldAnswers(form.gold), outputTokenLimit: 2_500 } });
    const { templateId, documentIds } = await loadForm(r, form);
    const result = await r.fill({ templateId, documentIds });

    const calls = r.emulator.requests.filter((q) => q.endpoint === 'generateContent');
    const [first, ...rest] = calls;
    expect(first!.fieldKeys).toHaveLength(200);
    expect(first!.finishReason).toBe('MAX_TOKENS');
    // Only the fields the cut answer did not finish are asked again, each once, in halves that the limit holds.
    const finished = 200 - rest.reduce((n, q) => n + q.fieldKeys.length, 0);
    expect(finished).toBeGreaterThan(50);
    const reasked = rest.flatMap((q) => q.fieldKeys);
    expect(new Set(reasked).size).toBe(reasked.length);
    expect(rest.every((q) => q.finishReason === 'STOP')).toBe(true);
    expect(rest).toHaveLength(2);
    await expectEveryValueRight(r, result);
  });
});
