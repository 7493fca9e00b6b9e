/** The core fill on a real Temporal dev server, with the real SDK talking HTTP to the emulator. */
import { describe, expect, it } from 'vitest';
import { TEST_API_KEY, exampleExpected, workflowBundle } from '../helpers/fill-harness.js';
import { useDevServerRigs } from '../helpers/dev-server-rigs.js';
import { createWorkers } from '../../src/worker.js';

const { env, rig } = useDevServerRigs();

describe('fillTemplate', () => {
  it('fills a 30-field template over three documents with at most 2 Gemini calls, every value right and grounded', async () => {
    const r = await rig({ maxCachedWorkflows: 0 });
    const { templateId, documentIds } = await r.loadExample();
    const result = await r.fill({ templateId, documentIds });

    expect(result.status).toBe('completed');
    expect(result.fields).toHaveLength(30);
    const generate = r.emulator.requests.filter((q) => q.endpoint === 'generateContent');
    expect(generate.length).toBeGreaterThan(0);
    expect(generate.length).toBeLessThanOrEqual(2);
    expect(result.usage.apiCalls).toBe(generate.length);
    expect(result.usage.fieldsPerCall).toBe(30 / generate.length);

    const expected = exampleExpected();
    for (const field of result.fields) {
      expect({ key: field.key, value: field.value, status: field.status }).toEqual({ key: field.key, value: expected[field.key], status: 'filled' });
      expect(field.method).toBe('gemini');
      expect(field.sources).toHaveLength(1);
      const src = field.sources[0]!;
      const text = await r.store.getDocumentText(src.documentId);
      expect(text!.slice(src.start, src.end)).toBe(src.quote);
    }
  });

  it('costs zero Gemini calls when the same fill runs again', async () => {
    const r = await rig();
    const { templateId, documentIds } = await r.loadExample();
    const first = await r.fill({ templateId, documentIds });
    const callsAfterFirst = r.emulator.requests.length;
    const second = await r.fill({ templateId, documentIds });

    expect(r.emulator.requests.length).toBe(callsAfterFirst);
    expect(second.usage.apiCalls).toBe(0);
    expect(second.usage.cacheHits).toBe(first.usage.apiCalls);
    expect(second.fields.map((f) => f.value)).toEqual(first.fields.map((f) => f.value));
    expect(new Set(second.fields.map((f) => f.method))).toEqual(new Set(['cache']));
  });

  it("waits out a 429's retryDelay of 5 s before the next call, and completes", async () => {
    const r = await rig();
    const { templateId, documentIds } = await r.loadExample();
    r.emulator.inject({ kind: 'rate-limit', quota: 'per-minute', retryDelay: '5s' });
    // One batch, so the retry is the only other request.
    const result = await r.fill({ templateId, documentIds, options: { maxBatchSize: 30 } });

    const [limited, retried] = r.emulator.requests;
    expect(limited!.status).toBe(429);
    expect(retried!.status).toBe(200);
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(5_000);
    expect(result.status).toBe('completed');
    expect(result.usage).toMatchObject({ apiCalls: 2, rateLimited: 1, retries: 1 });
    expect(result.fields.every((f) => f.status === 'filled')).toBe(true);
  });

  it('keeps the fields a MAX_TOKENS answer finished, and bisects only the fields still missing', async () => {
    const r = await rig();
    const { templateId, documentIds } = await r.loadExample();
    r.emulator.inject({ kind: 'truncate' });
    const result = await r.fill({ templateId, documentIds, options: { maxBatchSize: 30 } });

    const [first, ...rest] = r.emulator.requests;
    expect(first!.fieldKeys).toHaveLength(30);
    expect(first!.finishReason).toBe('MAX_TOKENS');
    // The cut answer held some complete fields: they are not asked again; the rest go in two halves.
    const reasked = rest.flatMap((q) => q.fieldKeys);
    expect(rest).toHaveLength(2);
    expect(reasked.length).toBeGreaterThan(0);
    expect(reasked.length).toBeLessThan(30);
    expect(new Set(reasked).size).toBe(reasked.length);
    expect(Math.abs(rest[0]!.fieldKeys.length - rest[1]!.fieldKeys.length)).toBeLessThanOrEqual(1);
    expect(result.fields.every((f) => f.status === 'filled')).toBe(true);
  });

  it('keeps the API key out of the workflow history', async () => {
    const r = await rig();
    const { templateId, documentIds } = await r.loadExample();
    const result = await r.fill({ templateId, documentIds });
    const history = await env().client.workflow.getHandle(result.fillId).fetchHistory();
    const text = JSON.stringify(history);
    expect(text).not.toContain(TEST_API_KEY);
    expect(text).toContain('extractBatch');
  });

  it('completes with the offline extractor when no API key is configured, and says so', async () => {
    const r = await rig({ env: { GEMINI_API_KEY: undefined } });
    const { templateId, documentIds } = await r.loadExample();
    const result = await r.fill({ templateId, documentIds });

    expect(result.status).toBe('completed');
    expect(r.emulator.requests).toHaveLength(0);
    expect(result.notices?.join(' ')).toMatch(/GEMINI_API_KEY/);
    const fallback = result.fields.filter((f) => f.status === 'fallback');
    expect(fallback.length).toBeGreaterThan(5);
    for (const f of result.fields) {
      expect(['fallback', 'not_found']).toContain(f.status);
      expect(f.method).toBe('offline');
    }
    const expected = exampleExpected();
    // Label lines ("Legal name: …"), registration numbers announced by their register, a dating clause and a
    // governing-law clause: the fields a rule can find, each with its quote, offsets and a confidence.
    for (const key of ['legal_name', 'postcode', 'company_number', 'vat_number', 'incorporation_date', 'contract_start_date', 'governing_law']) {
      const field = result.fields.find((f) => f.key === key)!;
      expect(field, key).toMatchObject({ value: expected[key], status: 'fallback', method: 'offline' });
      expect(field.confidence, key).toBeGreaterThan(0);
      const source = field.sources[0]!;
      const text = await r.store.getDocumentText(source.documentId);
      expect(text?.slice(source.start, source.end), key).toBe(source.quote);
    }
  });

  it('parks the fill on a daily-quota 429 (visible in status and search attributes), keeps the finished batch, and resumes on the signal', async () => {
    const r = await rig();
    const { templateId, documentIds } = await r.loadExample();
    r.emulator.inject({ kind: 'rate-limit', quota: 'per-day' });
    const fillId = `fill-day-${Date.now()}`;
    const workers = await createWorkers({ config: r.config, connection: env().nativeConnection, store: r.store, workflowBundle: await workflowBundle() });
    const running = workers.run();
    try {
      // Two batches of 15 (the default would ask all 30 fields in one call): one finishes, the other parks.
      await r.client.startFill({ fillId, templateId, documentIds, options: r.options({ maxBatchSize: 15 }) });
      let state = await r.client.getFill(fillId);
      for (let i = 0; i < 300 && state.status !== 'paused-quota'; i++) {
        await new Promise((res) => setTimeout(res, 100));
        state = await r.client.getFill(fillId);
      }
      expect(state).toMatchObject({ status: 'paused-quota', progress: { phase: 'paused-quota' } });
      const described = await env().client.workflow.getHandle(fillId).describe();
      expect(described.typedSearchAttributes.getAll().map((p) => [p.key.name, p.value])).toContainEqual(['FillflowStatus', 'paused-quota']);
      // The per-day 429 carries a short retryDelay; obeying it would hammer the API. Nothing is sent while parked.
      await new Promise((res) => setTimeout(res, 1_000));
      expect(r.emulator.requests.filter((q) => q.status === 429)).toHaveLength(1);
      const sentWhileParked = r.emulator.requests.length;
      await new Promise((res) => setTimeout(res, 1_000));
      expect(r.emulator.requests.length).toBe(sentWhileParked);

      await r.client.resume(fillId);
      const result = await r.client.waitForFill(fillId);
      expect(result.status).toBe('completed');
      expect(result.usage.retries).toBe(0);
      expect(result.notices?.join(' ')).toMatch(/daily quota/);
      expect(result.fields.every((f) => f.method === 'gemini')).toBe(true);
      // One 429, and each batch answered once: the finished batch was not redone.
      expect(r.emulator.requests.map((q) => q.status).sort()).toEqual([200, 200, 429]);
    } finally {
      workers.shutdown();
      await running;
    }
  });

  it('fails at once with what to change when the model does not exist', async () => {
    const r = await rig({ emulator: { models: ['gemini-3.5-flash'] }, env: { GEMINI_MODEL: 'gemini-0-retired' } });
    const { templateId, documentIds } = await r.loadExample();
    await expect(r.fill({ templateId, documentIds })).rejects.toThrow(/GEMINI_MODEL/);
    // Not retried: one request per batch at most.
    expect(r.emulator.requests.length).toBeLessThanOrEqual(2);
  });

  it('rejects an unknown template without calling Gemini', async () => {
    const r = await rig();
    const { documentIds } = await r.loadExample();
    await expect(r.fill({ templateId: 'no-such-template', documentIds })).rejects.toThrow(/unknown template "no-such-template"/);
    expect(r.emulator.requests).toHaveLength(0);
  });
});
