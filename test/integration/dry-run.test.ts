/** The dry run tells what a fill will spend before it spends anything: the same plan the workflow then runs
 * (calls, fields per call, prompt tokens near the count Gemini's stand-in makes), from the CLI and the API,
 * with no call sent and nothing started. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dryRunFill, planFillInProcess } from '../../src/activities/dry-run-fill.js';
import { buildApi } from '../../src/api/build-api.js';
import { fillCommand } from '../../src/cli/fill-command.js';
import { goldAnswers } from '../../src/emulator/index.js';
import { ingestPaths } from '../../src/retrieval/ingest.js';
import { useDevServerRigs } from '../helpers/dev-server-rigs.js';
import type { Rig } from '../helpers/fill-harness.js';
import { largeForm } from '../helpers/large-form.js';
import { emptyFillService } from '../unit/api/fake-fill-service.js';

const { rig } = useDevServerRigs();
const form = largeForm(200);

async function loadForm(r: Rig): Promise<{ templateId: string; documentIds: string[]; dir: string }> {
  const dir = join(r.dir, 'large-form');
  mkdirSync(dir, { recursive: true });
  for (const d of form.documents) writeFileSync(join(dir, d.name), d.text);
  const docs = await ingestPaths(r.store, [dir]);
  await r.store.putTemplate(form.template);
  return { templateId: form.template.id, documentIds: docs.map((d) => d.id), dir };
}

const generateCalls = (r: Rig) => r.emulator.requests.filter((q) => q.endpoint === 'generateContent');
const sortedKeys = (keys: readonly string[]) => [...keys].sort().join(',');

describe('the dry run', () => {
  it('plans the calls the fill then makes, its prompt tokens a little above the count', async () => {
    const r = await rig({ emulator: { answer: goldAnswers(form.gold) } });
    const { templateId, documentIds } = await loadForm(r);
    const estimate = await dryRunFill({ store: r.store, config: r.config }, { templateId, documentIds, options: r.options() });
    expect(r.emulator.requests).toHaveLength(0);
    expect(estimate).toMatchObject({ fields: 200, documents: 4, calls: 1, fieldsPerCall: 200, wholeDocuments: true, maxOutputTokens: 65_536 });
    expect(estimate.quota.scarce).toBe('neither');

    await r.fill({ templateId, documentIds });
    const calls = generateCalls(r);
    expect(calls).toHaveLength(estimate.calls);
    // The planner errs a little high (3.6 characters a token against the emulator's 4), never low.
    const counted = calls[0]!.promptTokens;
    expect(estimate.promptTokens).toBeGreaterThanOrEqual(counted);
    expect(estimate.promptTokens).toBeLessThanOrEqual(counted * 1.15);
  });

  it('plans the same batches as a fill that retrieves passages (its first round), with its stored vectors', async () => {
    const r = await rig();
    const { templateId, documentIds } = await r.loadExample();
    // A small input budget makes the fill retrieve.
    const options = r.options({ maxInputTokens: 1_500 });
    const before = await dryRunFill({ store: r.store, config: r.config }, { templateId, documentIds, options });
    expect(before).toMatchObject({ wholeDocuments: false, vectors: false, embeddingCalls: 2 });
    expect(before.calls).toBeGreaterThan(1);

    await r.fill({ templateId, documentIds, options: { maxInputTokens: 1_500 } });
    const asked = generateCalls(r).map((q) => sortedKeys(q.fieldKeys));
    // The fill stored its vectors: now the dry run ranks with them, as a fill of these documents will.
    const { planned } = await planFillInProcess({ store: r.store, config: r.config }, { templateId, documentIds, options });
    expect(planned.plan.wholeDocuments).toBe(false);
    const after = await dryRunFill({ store: r.store, config: r.config }, { templateId, documentIds, options });
    expect(after).toMatchObject({ vectors: true, embeddingCalls: 0, calls: planned.plan.batches.length });
    // Every planned batch went out as planned; a wider round or a re-ask may add calls after them.
    for (const b of planned.plan.batches) expect(asked).toContain(sortedKeys(b.fieldKeys));
    expect(asked.length).toBeGreaterThanOrEqual(after.calls);
  });

  it('answers POST /api/fills with dryRun, starting nothing', async () => {
    const r = await rig({ emulator: { answer: goldAnswers(form.gold) } });
    const { templateId, documentIds } = await loadForm(r);
    const { service, started } = emptyFillService();
    const app = await buildApi({ store: r.store, fills: service, config: r.config });
    try {
      const res = await app.inject({ method: 'POST', url: '/api/fills', payload: { templateId, documentIds, dryRun: true } });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ templateId, calls: 1, fieldsPerCall: 200, wholeDocuments: true });
      const aggressive = await app.inject({ method: 'POST', url: '/api/fills', payload: { templateId, documentIds, dryRun: true, options: { maxBatchSize: 50 } } });
      expect(aggressive.json()).toMatchObject({ calls: 4, options: { maxBatchSize: 50 } });
      expect(started).toHaveLength(0);
      expect(r.emulator.requests).toHaveLength(0);
    } finally {
      await app.close();
    }
  });

  it('is `fillflow fill --dry-run`: prints the plan and the limits, exits 0, starts no server', async () => {
    const r = await rig();
    const { dir } = await loadForm(r);
    const templateFile = join(r.dir, 'template.json');
    writeFileSync(templateFile, JSON.stringify(form.template));
    const lines: string[] = [];
    const io = { stderr: (l: string) => lines.push(l), stdout: (l: string) => lines.push(l) };
    const saved = { ...process.env };
    Object.assign(process.env, { FILLFLOW_DB: join(r.dir, 'cli.db'), GEMINI_API_KEY: 'dry-run-key', FILLFLOW_PROFILE: 'conservative' });
    delete process.env.TEMPORAL_ADDRESS;
    let code: number;
    try {
      code = await fillCommand({ template: templateFile, docs: [dir], dryRun: true }, io);
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
    expect(code, lines.join('\n')).toBe(0);
    expect(lines[0]).toMatch(/^dry run: 200 fields over 4 document\(s\)/);
    expect(lines.join('\n')).toMatch(/plan: 1 Gemini call\(s\), 200 fields per call, the documents sent whole/);
    expect(lines.join('\n')).toMatch(/limits \(conservative\):.*10 requests\/min.*250 requests\/day/);
    expect(lines.join('\n')).toMatch(/requests are scarce \(250 requests a day/);
    expect(lines.some((l) => l.startsWith('temporal:'))).toBe(false);
    expect(r.emulator.requests).toHaveLength(0);
  });
});
