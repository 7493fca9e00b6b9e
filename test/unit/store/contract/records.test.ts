/** @module The store contract, on every store: templates, fills and their results, template sources and outputs,
 * the answer cache, and usage. */
import { describe, expect, it } from 'vitest';
import { emptyUsage, type FillResult, type TemplateSpec } from '../../../../src/core/types.js';
import { STORE_KINDS, useStore } from './store-kinds.js';

describe.each(STORE_KINDS)('$name store: templates', (kind) => {
  const h = useStore(kind);
  const spec: TemplateSpec = {
    id: 'tpl-1',
    name: 'Invoice',
    fields: [
      { key: 'number', label: 'Invoice number', type: 'string', required: true },
      { key: 'total', label: 'Total', type: 'money' },
    ],
  };

  it('upserts, reads back and lists with field counts, by name then id', async () => {
    expect(await h.store.getTemplate('tpl-1')).toBeUndefined();
    await h.store.putTemplate(spec);
    expect(await h.store.getTemplate('tpl-1')).toEqual(spec);
    const renamed = { ...spec, name: 'Invoice v2', fields: spec.fields.slice(0, 1) };
    await h.store.putTemplate(renamed);
    expect(await h.store.getTemplate('tpl-1')).toEqual(renamed);
    await h.store.putTemplate({ id: 'tpl-0', name: 'Address', fields: [] });
    await h.store.putTemplate({ id: 'tpl-a', name: 'address', fields: [] });
    expect(await h.store.listTemplates()).toEqual([
      { id: 'tpl-0', name: 'Address', fields: 0 },
      { id: 'tpl-1', name: 'Invoice v2', fields: 1 },
      { id: 'tpl-a', name: 'address', fields: 0 },
    ]);
  });

  it('keeps a spec exactly as written, its keys in their order', async () => {
    const odd = { fields: [{ type: 'enum', options: ['b', 'a'], key: 'z', label: 'Z' }], name: 'Odd "name" \u2028', id: 'tpl-odd' } as TemplateSpec;
    await h.store.putTemplate(odd);
    expect(JSON.stringify(await h.store.getTemplate('tpl-odd'))).toBe(JSON.stringify(odd));
  });
});

describe.each(STORE_KINDS)('$name store: fills', (kind) => {
  const h = useStore(kind);
  const result = (value: string): FillResult => ({
    fillId: 'f1',
    templateId: 'tpl-1',
    status: 'completed',
    fields: [{ key: 'number', value, status: 'filled', method: 'gemini', sources: [] }],
    answeredBy: { endpoint: 'gemini', model: 'gemini-3.5-flash' },
    usage: { ...emptyUsage(), apiCalls: 1 },
  });

  it('records a fill\'s inputs, without a status: Temporal owns that', async () => {
    await h.store.createFill({ fillId: 'f1', templateId: 'tpl-1', documentIds: ['d1', 'd2'] });
    const created = await h.store.getFill('f1');
    expect(created).toMatchObject({ fillId: 'f1', templateId: 'tpl-1', documentIds: ['d1', 'd2'] });
    expect(created && Object.keys(created).sort()).toEqual(['createdAt', 'documentIds', 'fillId', 'templateId', 'updatedAt']);
    expect(created?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('writes the result once: a second write (a retried finalizeFill) keeps the first and returns it', async () => {
    await h.store.createFill({ fillId: 'f1', templateId: 'tpl-1', documentIds: ['d1'] });
    const first = result('INV-7');
    expect(await h.store.putFillResult('f1', first)).toEqual(first);
    expect(await h.store.putFillResult('f1', result('INV-8'))).toEqual(first);
    const stored = await h.store.getFill('f1');
    expect(stored?.result).toEqual(first);
    expect(stored && stored.updatedAt >= stored.createdAt).toBe(true);
  });

  it('writes the result once when two finalizers race', async () => {
    await h.store.createFill({ fillId: 'f1', templateId: 'tpl-1', documentIds: ['d1'] });
    const other = await h.open();
    const [a, b] = await Promise.all([h.store.putFillResult('f1', result('A')), other.putFillResult('f1', result('B'))]);
    expect(a).toEqual(b);
    expect((await h.store.getFill('f1'))?.result).toEqual(a);
  });

  it('adds the output reference to the stored result and changes nothing else', async () => {
    await h.store.createFill({ fillId: 'f1', templateId: 'tpl-1', documentIds: ['d1'] });
    const first = { ...result('Ünïcode "quoted" \u2028 12.50'), notices: ['a notice'] };
    first.usage.durationMs = 1234.5;
    await h.store.putFillResult('f1', first);
    await h.store.setFillOutputRef('f1', 'f1/filled.docx');
    const withRef = (await h.store.getFill('f1'))?.result;
    expect(withRef).toEqual({ ...first, outputRef: 'f1/filled.docx' });
    // The result's own keys keep their order; the reference comes last.
    expect(Object.keys(withRef!)).toEqual([...Object.keys(first), 'outputRef']);
    // A re-render replaces the reference; the result itself is still the first one.
    await h.store.setFillOutputRef('f1', 'f1/filled-again.docx');
    expect(await h.store.putFillResult('f1', result('other'))).toEqual({ ...first, outputRef: 'f1/filled-again.docx' });
  });

  it('keeps the first record when a fill is created twice', async () => {
    await h.store.createFill({ fillId: 'f1', templateId: 'tpl-1', documentIds: ['d1'] });
    await h.store.createFill({ fillId: 'f1', templateId: 'tpl-other', documentIds: [] });
    expect(await h.store.getFill('f1')).toMatchObject({ templateId: 'tpl-1', documentIds: ['d1'] });
  });

  it('refuses a result for a fill never recorded, and an output reference before the result', async () => {
    await expect(h.store.putFillResult('nope', result('x'))).rejects.toThrow(/fill "nope" is not in the store/);
    expect(await h.store.getFill('nope')).toBeUndefined();
    await expect(h.store.setFillOutputRef('nope', 'nope/x.md')).rejects.toThrow(/fill "nope" has no stored result/);
    await h.store.createFill({ fillId: 'f1', templateId: 'tpl-1', documentIds: [] });
    await expect(h.store.setFillOutputRef('f1', 'f1/x.md')).rejects.toThrow(/putFillResult must come first/);
    expect((await h.store.getFill('f1'))?.result).toBeUndefined();
  });
});

describe.each(STORE_KINDS)('$name store: template sources and outputs', (kind) => {
  const h = useStore(kind);
  const bytes = Buffer.from([0, 1, 2, 255, 254, 0, 80, 75]);

  it('stores, replaces and deletes a template\'s source file, byte for byte', async () => {
    expect(await h.store.getTemplateSource('t')).toBeUndefined();
    await h.store.putTemplateSource({ templateId: 't', format: 'pdf', fileName: 'form.pdf', mediaType: 'application/pdf', bytes, fieldNames: { name: 'Name[0]' } });
    const got = await h.store.getTemplateSource('t');
    expect(got).toMatchObject({ templateId: 't', format: 'pdf', fileName: 'form.pdf', mediaType: 'application/pdf', fieldNames: { name: 'Name[0]' } });
    expect(Buffer.compare(got!.bytes, bytes)).toBe(0);
    expect(Number.isNaN(Date.parse(got!.createdAt))).toBe(false);
    await h.store.putTemplateSource({ templateId: 't', format: 'markdown', fileName: 't.md', mediaType: 'text/markdown', bytes: Buffer.from('# {{x}}') });
    const replaced = await h.store.getTemplateSource('t');
    expect(replaced).toMatchObject({ format: 'markdown', fileName: 't.md' });
    expect('fieldNames' in replaced!).toBe(false);
    await h.store.deleteTemplateSource('t');
    expect(await h.store.getTemplateSource('t')).toBeUndefined();
    await h.store.deleteTemplateSource('t');
  });

  it('stores a fill\'s output under <fillId>/<fileName>, and a re-render replaces it', async () => {
    expect(await h.store.getOutput('f1')).toBeUndefined();
    const ref = await h.store.putOutput({ fillId: 'f1', templateId: 't', fileName: 'filled.docx', mediaType: 'application/octet-stream', bytes });
    expect(ref).toBe('f1/filled.docx');
    const got = await h.store.getOutput('f1');
    expect(got).toMatchObject({ ref, fillId: 'f1', templateId: 't', fileName: 'filled.docx' });
    expect(Buffer.compare(got!.bytes, bytes)).toBe(0);
    expect(await h.store.putOutput({ fillId: 'f1', templateId: 't', fileName: 'filled.md', mediaType: 'text/markdown', bytes: Buffer.from('ok') })).toBe('f1/filled.md');
    expect((await h.store.getOutput('f1'))?.bytes.toString()).toBe('ok');
  });
});

describe.each(STORE_KINDS)('$name store: answer cache', (kind) => {
  const h = useStore(kind);

  it('stores, overwrites and counts answers', async () => {
    expect(await h.store.cacheGet('k1')).toBeUndefined();
    expect(await h.store.cacheSize()).toBe(0);
    const answer = { text: '{"a":1}', promptTokens: 120, outputTokens: 8, finishReason: 'STOP' };
    await h.store.cachePut('k1', answer);
    expect(await h.store.cacheGet('k1')).toEqual(answer);
    await h.store.cachePut('k1', { ...answer, text: '{"a":2}' });
    await h.store.cachePut('k2', answer);
    expect((await h.store.cacheGet('k1'))?.text).toBe('{"a":2}');
    expect(await h.store.cacheSize()).toBe(2);
  });

  it('is shared by every store opened on the same location', async () => {
    const other = await h.open();
    await h.store.cachePut('k', { text: 'answer', promptTokens: 1, outputTokens: 1, finishReason: 'STOP' });
    expect((await other.cacheGet('k'))?.text).toBe('answer');
  });
});

describe.each(STORE_KINDS)('$name store: usage', (kind) => {
  const h = useStore(kind);

  it('totals events over every fill and for one fill', async () => {
    const zero = await h.store.usageTotals();
    expect(zero).toMatchObject({
      apiCalls: 0,
      cacheHits: 0,
      promptTokens: 0,
      outputTokens: 0,
      rateLimited: 0,
      rateLimitedByKind: {},
      retries: 0,
      errors: 0,
      fieldsAsked: 0,
      quotaWaitMs: 0,
      parkedMs: 0,
    });
    expect(Object.values(zero).every((v) => typeof v === 'object' || v === 0)).toBe(true);

    await h.store.recordUsage({ fillId: 'f1', batchId: 'b1', kind: 'api_call', promptTokens: 100, outputTokens: 20, fields: 3 });
    await h.store.recordUsage({ fillId: 'f1', batchId: 'b2', kind: 'api_call', fields: 2 });
    await h.store.recordUsage({ fillId: 'f1', batchId: 'b2', kind: 'rate_limited', detail: 'per-minute' });
    await h.store.recordUsage({ fillId: 'f1', batchId: 'b2', kind: 'retry' });
    await h.store.recordUsage({ fillId: 'f1', batchId: 'b3', kind: 'cache_hit', promptTokens: 999 });
    await h.store.recordUsage({ fillId: 'f1', batchId: 'b3', kind: 'quota_wait', detail: '1500' });
    await h.store.recordUsage({ fillId: 'f1', batchId: '-', kind: 'parked', detail: '60000' });
    await h.store.recordUsage({ fillId: 'f2', batchId: 'b1', kind: 'api_call', promptTokens: 50, outputTokens: 5, fields: 1 });
    await h.store.recordUsage({ fillId: 'f2', batchId: 'b1', kind: 'rate_limited', detail: 'per-day' });
    await h.store.recordUsage({ fillId: 'f2', batchId: 'b1', kind: 'rate_limited', detail: 'per-minute' });
    await h.store.recordUsage({ fillId: 'f2', batchId: 'b1', kind: 'rate_limited' });
    await h.store.recordUsage({ fillId: 'f2', batchId: 'b1', kind: 'quota_wait', detail: 'not a number' });
    await h.store.recordUsage({ fillId: 'f2', batchId: 'b1', kind: 'error', detail: 'bad-request', at: '2024-01-01T00:00:00Z' });

    expect(await h.store.usageTotals()).toMatchObject({
      apiCalls: 3,
      cacheHits: 1,
      promptTokens: 150,
      outputTokens: 25,
      rateLimited: 4,
      rateLimitedByKind: { 'per-day': 1, 'per-minute': 2, unknown: 1 },
      retries: 1,
      errors: 1,
      fieldsAsked: 6,
      quotaWaitMs: 1500,
      parkedMs: 60000,
    });
    expect(await h.store.usageTotals('f1')).toMatchObject({
      apiCalls: 2,
      cacheHits: 1,
      promptTokens: 100,
      rateLimited: 1,
      rateLimitedByKind: { 'per-minute': 1 },
      fieldsAsked: 5,
    });
    expect((await h.store.usageTotals('no-such-fill')).apiCalls).toBe(0);
  });

  it('counts every event recorded from several stores at once, once', async () => {
    const other = await h.open();
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? other : h.store).recordUsage({ fillId: 'f', batchId: `b${i}`, kind: 'api_call', promptTokens: 10, fields: 1 })),
    );
    expect(await h.store.usageTotals('f')).toMatchObject({ apiCalls: 40, promptTokens: 400, fieldsAsked: 40 });
  });
});

describe.each(STORE_KINDS)('$name store: usage by endpoint', (kind) => {
  const h = useStore(kind);
  const google = { endpoint: 'gemini', model: 'gemini-3.5-flash' };
  const emulator = { endpoint: 'http://127.0.0.1:4010', model: 'gemini-3.5-flash' };

  it('names the endpoint and model that answered most of a fill\'s fields, from answered requests and cache hits', async () => {
    expect(await h.store.usageAnsweredBy('f1')).toBeUndefined();
    await h.store.recordUsage({ fillId: 'f1', batchId: 'b1', kind: 'api_call', ...google, promptTokens: 100, outputTokens: 9, fields: 3 });
    await h.store.recordUsage({ fillId: 'f1', batchId: 'b2', kind: 'cache_hit', ...emulator, fields: 2 });
    expect(await h.store.usageAnsweredBy('f1')).toEqual(google);
    await h.store.recordUsage({ fillId: 'f1', batchId: 'b3', kind: 'cache_hit', ...emulator, fields: 2 });
    expect(await h.store.usageAnsweredBy('f1')).toEqual(emulator);
    expect(await h.store.usageAnsweredBy('f2')).toBeUndefined();
  });

  it('counts nothing as answered by a failed request, an embedding request, a 429 or an event without an endpoint', async () => {
    await h.store.recordUsage({ fillId: 'f1', batchId: 'b1', kind: 'api_call', ...google });
    await h.store.recordUsage({ fillId: 'f1', batchId: 'embed', kind: 'api_call', endpoint: 'gemini', model: 'gemini-embedding-001', fields: 0, detail: 'embed' });
    await h.store.recordUsage({ fillId: 'f1', batchId: 'b1', kind: 'rate_limited', ...google, detail: 'per-minute', fields: 9 });
    await h.store.recordUsage({ fillId: 'f1', batchId: 'b2', kind: 'api_call', fields: 30 });
    await h.store.recordUsage({ fillId: 'f1', batchId: '-', kind: 'parked', detail: '60000' });
    expect(await h.store.usageAnsweredBy('f1')).toBeUndefined();
  });

  it('breaks a tie the same way on every read, bytewise', async () => {
    await h.store.recordUsage({ fillId: 'f1', batchId: 'b1', kind: 'api_call', ...emulator, fields: 2 });
    await h.store.recordUsage({ fillId: 'f1', batchId: 'b2', kind: 'api_call', ...google, fields: 2 });
    await h.store.recordUsage({ fillId: 'f1', batchId: 'b3', kind: 'api_call', endpoint: 'Gemini-proxy', model: 'm', fields: 2 });
    // "G" sorts before "g" bytewise (a locale's collation would put them together).
    expect(await h.store.usageAnsweredBy('f1')).toEqual({ endpoint: 'Gemini-proxy', model: 'm' });
  });

  it('totals requests, cache hits and tokens per endpoint and model, busiest first, adding up to the totals', async () => {
    expect(await h.store.usageByEndpoint()).toEqual([]);
    await h.store.recordUsage({ fillId: 'f1', batchId: 'b1', kind: 'api_call', ...google, promptTokens: 100, outputTokens: 10, fields: 3 });
    await h.store.recordUsage({ fillId: 'f1', batchId: 'b2', kind: 'api_call', ...google });
    await h.store.recordUsage({ fillId: 'f1', batchId: 'b2', kind: 'rate_limited', ...google, detail: 'per-minute' });
    await h.store.recordUsage({ fillId: 'f1', batchId: 'e', kind: 'api_call', endpoint: 'gemini', model: 'gemini-embedding-001', promptTokens: 40, fields: 0 });
    await h.store.recordUsage({ fillId: 'f2', batchId: 'b1', kind: 'cache_hit', ...emulator, fields: 3, promptTokens: 999 });
    await h.store.recordUsage({ fillId: 'f2', batchId: 'b2', kind: 'cache_hit', ...emulator, fields: 3 });
    await h.store.recordUsage({ fillId: 'f2', batchId: 'b3', kind: 'cache_hit', ...emulator, fields: 3 });
    // Recorded before endpoints were: counted, under `unknown`.
    await h.store.recordUsage({ fillId: 'f2', batchId: 'b4', kind: 'api_call', promptTokens: 7, outputTokens: 1 });
    await h.store.recordUsage({ fillId: 'f2', batchId: '-', kind: 'parked', detail: '1000' });

    const all = await h.store.usageByEndpoint();
    expect(all).toEqual([
      { ...emulator, apiCalls: 0, cacheHits: 3, promptTokens: 0, outputTokens: 0 },
      { ...google, apiCalls: 2, cacheHits: 0, promptTokens: 100, outputTokens: 10 },
      { endpoint: 'gemini', model: 'gemini-embedding-001', apiCalls: 1, cacheHits: 0, promptTokens: 40, outputTokens: 0 },
      { endpoint: 'unknown', model: 'unknown', apiCalls: 1, cacheHits: 0, promptTokens: 7, outputTokens: 1 },
    ]);
    const totals = await h.store.usageTotals();
    const sum = (k: 'apiCalls' | 'cacheHits' | 'promptTokens' | 'outputTokens') => all.reduce((n, r) => n + r[k], 0);
    expect({ apiCalls: sum('apiCalls'), cacheHits: sum('cacheHits'), promptTokens: sum('promptTokens'), outputTokens: sum('outputTokens') }).toEqual({
      apiCalls: totals.apiCalls,
      cacheHits: totals.cacheHits,
      promptTokens: totals.promptTokens,
      outputTokens: totals.outputTokens,
    });
    expect(await h.store.usageByEndpoint('f1')).toEqual([
      { ...google, apiCalls: 2, cacheHits: 0, promptTokens: 100, outputTokens: 10 },
      { endpoint: 'gemini', model: 'gemini-embedding-001', apiCalls: 1, cacheHits: 0, promptTokens: 40, outputTokens: 0 },
    ]);
  });
});
