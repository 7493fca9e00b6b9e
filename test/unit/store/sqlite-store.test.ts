/** @module Tests for the SQLite store: documents, chunks, BM25 search, templates, fills, cache, usage, concurrency. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyUsage, type FillResult, type TemplateSpec } from '../../../src/core/types.js';
import { openStore } from '../../../src/store/open-store.js';
import { toFtsQuery } from '../../../src/store/sqlite-documents.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';
import type { NewChunk, Store } from '../../../src/store/store.js';

let dir: string;
let dbPath: string;
let store: Store;
const openStores: Store[] = [];

function open(path = dbPath): Store {
  const s = openSqliteStore(path);
  openStores.push(s);
  return s;
}

/** Chunks a text at the given cut points, so tests control exactly which words share a chunk. */
function chunksAt(text: string, cuts: number[]): NewChunk[] {
  const bounds = [0, ...cuts, text.length];
  return bounds.slice(1).map((end, seq) => {
    const start = bounds[seq] as number;
    return { seq, start, end, text: text.slice(start, end), tokens: Math.ceil((end - start) / 4) };
  });
}

async function putText(s: Store, name: string, text: string, cuts: number[] = []) {
  return s.putDocument({ name, mimeType: 'text/plain', text }, chunksAt(text, cuts));
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fillflow-store-'));
  dbPath = join(dir, 'nested', 'folder', 'fillflow.db');
  store = open();
});

afterEach(async () => {
  for (const s of openStores.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('opening', () => {
  it('creates the parent folders, uses WAL and records the schema version', () => {
    expect(existsSync(dbPath)).toBe(true);
    const raw = new Database(dbPath, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(raw.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(1);
    } finally {
      raw.close();
    }
  });

  it('reopens an existing file without migrating again and keeps its data', async () => {
    const doc = await putText(store, 'a.txt', 'Reopened text survives.');
    await store.close();
    const again = open();
    expect(await again.getDocument(doc.id)).toEqual(doc);
  });

  it('openStore picks SQLite for a path and refuses Postgres URLs without echoing them', async () => {
    const s = openStore({ dbPath: join(dir, 'via-open-store.db') });
    openStores.push(s);
    expect(await s.listDocuments()).toEqual([]);
    const url = 'postgres://user:secret@db.example:5432/fillflow';
    expect(() => openStore({ dbPath: url })).toThrow(/FILLFLOW_DB.*not implemented yet/);
    expect(() => openStore({ dbPath: url })).not.toThrow(/secret/);
    expect(() => openStore({ dbPath: 'postgresql://x/y' })).toThrow(/not implemented yet/);
    expect(() => openStore({ dbPath: 'mysql://x/y' })).toThrow(/FILLFLOW_DB.*unsupported scheme/);
  });
});

describe('documents and chunks', () => {
  it('ids a document by the sha256 of its text and stores the same text once', async () => {
    const text = 'Invoice INV-7 from Acme.';
    const first = await putText(store, 'first.txt', text);
    expect(first.id).toMatch(/^[0-9a-f]{64}$/);
    expect(first).toMatchObject({ name: 'first.txt', mimeType: 'text/plain', length: text.length });

    const second = await putText(store, 'second-name.txt', text, [8]);
    expect(second).toEqual(first);
    expect(await store.listDocuments()).toEqual([first]);
    expect((await store.listChunks([first.id])).length).toBe(1);
  });

  it('round-trips chunks with exact offsets, pages and ids', async () => {
    const text = 'Page one text.\fPage two text, longer.';
    const chunks: NewChunk[] = [
      { seq: 0, start: 0, end: 14, page: 1, text: 'Page one text.', tokens: 4 },
      { seq: 1, start: 15, end: text.length, page: 2, text: text.slice(15), tokens: 6 },
    ];
    const doc = await store.putDocument({ name: 'p.txt', mimeType: 'text/plain', text }, chunks);
    expect(await store.getDocumentText(doc.id)).toBe(text);

    const ids = [`${doc.id}:1`, 'missing:0', `${doc.id}:0`];
    const got = await store.getChunks(ids);
    expect(got.map((c) => c.id)).toEqual([`${doc.id}:1`, `${doc.id}:0`]);
    for (const chunk of got) {
      expect(chunk.documentId).toBe(doc.id);
      expect(text.slice(chunk.start, chunk.end)).toBe(chunk.text);
      expect(chunk).toEqual({ id: `${doc.id}:${chunk.seq}`, documentId: doc.id, ...chunks[chunk.seq] });
    }
  });

  it('leaves page out when a chunk has none', async () => {
    const doc = await putText(store, 'a.txt', 'No pages here.');
    const [chunk] = await store.getChunks([`${doc.id}:0`]);
    expect(chunk).toBeDefined();
    expect('page' in (chunk as object)).toBe(false);
  });

  it('lists chunks in the order of the documents asked for, then by position', async () => {
    const a = await putText(store, 'a.txt', 'alpha one. alpha two.', [10]);
    const b = await putText(store, 'b.txt', 'beta one. beta two. beta three.', [9, 19]);
    const hits = await store.listChunks([b.id, a.id, b.id, 'unknown']);
    expect(hits.map((h) => h.chunkId)).toEqual([`${b.id}:0`, `${b.id}:1`, `${b.id}:2`, `${a.id}:0`, `${a.id}:1`]);
    expect(hits.every((h) => h.score === 0)).toBe(true);
    expect(hits[1]).toMatchObject({ documentId: b.id, seq: 1, tokens: 3 });
    expect(await store.listChunks([])).toEqual([]);
    expect(await store.getChunks([])).toEqual([]);
  });

  it('stores nothing when a chunk insert fails inside the transaction', async () => {
    const text = 'First chunk. Second chunk.';
    const dupSeq: NewChunk[] = [
      { seq: 0, start: 0, end: 12, text: 'First chunk.', tokens: 3 },
      { seq: 0, start: 13, end: text.length, text: 'Second chunk.', tokens: 3 },
    ];
    await expect(store.putDocument({ name: 'bad.txt', mimeType: 'text/plain', text }, dupSeq)).rejects.toThrow(
      /UNIQUE/,
    );
    expect(await store.listDocuments()).toEqual([]);
    const raw = new Database(dbPath, { readonly: true });
    try {
      expect(raw.prepare('SELECT count(*) AS n FROM chunks').get()).toEqual({ n: 0 });
    } finally {
      raw.close();
    }
    // The FTS index was rolled back with the rows, so no ghost hit can point at a missing chunk.
    const fixed = await putText(store, 'good.txt', text, [13]);
    expect(fixed.name).toBe('good.txt');
    expect((await store.searchChunks('second', [fixed.id], 5)).map((h) => h.seq)).toEqual([1]);
  });

  it('rejects chunks whose text does not match the document at their offsets', async () => {
    const text = 'Exact offsets matter.';
    const bad: NewChunk[] = [{ seq: 0, start: 1, end: 6, text: 'Exact', tokens: 2 }];
    await expect(store.putDocument({ name: 'x.txt', mimeType: 'text/plain', text }, bad)).rejects.toThrow(
      /x\.txt.*chunk 0/,
    );
    expect(await store.listDocuments()).toEqual([]);
  });
});

describe('searchChunks', () => {
  it('ranks the chunk with more and rarer matching terms first, scores higher-is-better', async () => {
    const text = [
      'The weather was mild and the harbour quiet.',
      'Invoice number INV-2024-17 is payable within 30 days.',
      'Please quote the invoice in any correspondence.',
      'Nothing relevant in this paragraph at all.',
    ].join('\n\n');
    const cuts = ['Invoice number', 'Please quote', 'Nothing'].map((start) => text.indexOf(start));
    const doc = await putText(store, 'inv.txt', text, cuts);
    const hits = await store.searchChunks('invoice number', [doc.id], 10);
    expect(hits.map((h) => h.seq)).toEqual([1, 2]);
    expect(hits[0]?.score).toBeGreaterThan(hits[1]?.score ?? Infinity);
    expect(hits[0]?.score).toBeGreaterThan(0);
    expect(hits[0]).toMatchObject({ chunkId: `${doc.id}:1`, documentId: doc.id });
  });

  it('matches word forms through stemming and ignores case and diacritics', async () => {
    const doc = await putText(store, 'x.txt', 'Payments are invoiced to the Café monthly.');
    expect(await store.searchChunks('INVOICES', [doc.id], 5)).toHaveLength(1);
    expect(await store.searchChunks('cafe', [doc.id], 5)).toHaveLength(1);
  });

  it('searches only the documents asked for', async () => {
    const a = await putText(store, 'a.txt', 'The lighthouse keeper logged the storm.');
    const b = await putText(store, 'b.txt', 'A lighthouse stands on the cape.');
    expect((await store.searchChunks('lighthouse', [a.id], 10)).map((h) => h.documentId)).toEqual([a.id]);
    expect((await store.searchChunks('lighthouse', [a.id, b.id], 10)).length).toBe(2);
    expect(await store.searchChunks('lighthouse', [], 10)).toEqual([]);
    expect(await store.searchChunks('lighthouse', ['not-a-document'], 10)).toEqual([]);
  });

  it('honours the limit', async () => {
    const text = Array.from({ length: 6 }, (_, i) => `Clause ${i} mentions the tenant.`).join(' ');
    const cuts = [1, 2, 3, 4, 5].map((i) => text.indexOf(`Clause ${i}`));
    const doc = await putText(store, 'lease.txt', text, cuts);
    expect(await store.searchChunks('tenant', [doc.id], 3)).toHaveLength(3);
    expect(await store.searchChunks('tenant', [doc.id], 0)).toEqual([]);
  });

  const hostile: [string, string][] = [
    ['empty', ''],
    ['whitespace', '   \n\t '],
    ['lone quote', '"'],
    ['unbalanced quotes', 'invoice "number'],
    ['column filter', 'text:invoice'],
    ['unknown column', 'nosuchcolumn:invoice'],
    ['NEAR group', 'NEAR(invoice number, 2)'],
    ['bare operators', 'AND OR NOT'],
    ['parentheses', '((invoice)'],
    ['prefix and caret', '^invoice* +number -total'],
    ['sql injection', "'); DROP TABLE chunks; --"],
    ['only punctuation', '!@#$%^&*()_+{}|:"<>?'],
    ['emoji and symbols', '📄 € ™ ©'],
    ['only stopwords', 'the of and to'],
    ['very long', 'invoice '.repeat(5000)],
    ['lone surrogate', 'invoice \ud800 number'],
  ];
  it.each(hostile)('never throws on hostile input: %s', async (_name, query) => {
    const doc = await putText(store, 'i.txt', 'Invoice number 42. AND the total is due. NEAR the end.');
    await expect(store.searchChunks(query, [doc.id], 5)).resolves.toBeInstanceOf(Array);
  });

  it('treats FTS keywords in the query as plain words', async () => {
    const doc = await putText(store, 'n.txt', 'The depot is near the station.');
    expect(await store.searchChunks('NEAR', [doc.id], 5)).toHaveLength(1);
    expect(await store.searchChunks('', [doc.id], 5)).toEqual([]);
  });

  it.each([
    ['drops punctuation and stopwords, quotes and ORs terms', 'What is the "invoice" number?', '"invoice" OR "number"'],
    ['lowercases and dedups', 'Total TOTAL total', '"total"'],
    ['keeps stopwords when nothing else is left', 'to the', '"to" OR "the"'],
    ['splits on colons and hyphens', 'text:INV-2024', '"text" OR "inv" OR "2024"'],
    ['nothing searchable', '?!', undefined],
  ] as const)('toFtsQuery %s', (_name, input, expected) => {
    expect(toFtsQuery(input)).toBe(expected);
  });
});

describe('templates', () => {
  const spec: TemplateSpec = {
    id: 'tpl-1',
    name: 'Invoice',
    fields: [
      { key: 'number', label: 'Invoice number', type: 'string', required: true },
      { key: 'total', label: 'Total', type: 'money' },
    ],
  };

  it('upserts, reads back and lists with field counts', async () => {
    expect(await store.getTemplate('tpl-1')).toBeUndefined();
    await store.putTemplate(spec);
    expect(await store.getTemplate('tpl-1')).toEqual(spec);
    const renamed = { ...spec, name: 'Invoice v2', fields: spec.fields.slice(0, 1) };
    await store.putTemplate(renamed);
    expect(await store.getTemplate('tpl-1')).toEqual(renamed);
    await store.putTemplate({ id: 'tpl-0', name: 'Address', fields: [] });
    expect(await store.listTemplates()).toEqual([
      { id: 'tpl-0', name: 'Address', fields: 0 },
      { id: 'tpl-1', name: 'Invoice v2', fields: 1 },
    ]);
  });
});

describe('fills', () => {
  const result = (value: string): FillResult => ({
    fillId: 'f1',
    templateId: 'tpl-1',
    status: 'completed',
    fields: [{ key: 'number', value, status: 'filled', method: 'gemini', sources: [] }],
    answeredBy: { endpoint: 'gemini', model: 'gemini-3.5-flash' },
    usage: { ...emptyUsage(), apiCalls: 1 },
  });

  it('records a fill\'s inputs, without a status: Temporal owns that', async () => {
    await store.createFill({ fillId: 'f1', templateId: 'tpl-1', documentIds: ['d1', 'd2'] });
    const created = await store.getFill('f1');
    expect(created).toMatchObject({ fillId: 'f1', templateId: 'tpl-1', documentIds: ['d1', 'd2'] });
    expect(created && Object.keys(created).sort()).toEqual(['createdAt', 'documentIds', 'fillId', 'templateId', 'updatedAt']);
  });

  it('writes the result once: a second write (a retried finalizeFill) keeps the first and returns it', async () => {
    await store.createFill({ fillId: 'f1', templateId: 'tpl-1', documentIds: ['d1'] });
    const first = result('INV-7');
    expect(await store.putFillResult('f1', first)).toEqual(first);
    expect(await store.putFillResult('f1', result('INV-8'))).toEqual(first);
    const stored = await store.getFill('f1');
    expect(stored?.result).toEqual(first);
    expect(stored && stored.updatedAt >= stored.createdAt).toBe(true);
  });

  it('adds the output reference to the stored result and changes nothing else', async () => {
    await store.createFill({ fillId: 'f1', templateId: 'tpl-1', documentIds: ['d1'] });
    const first = { ...result('Ünïcode "quoted" \u2028 12.50'), notices: ['a notice'] };
    first.usage.durationMs = 1234.5;
    await store.putFillResult('f1', first);
    await store.setFillOutputRef('f1', 'f1/filled.docx');
    expect((await store.getFill('f1'))?.result).toEqual({ ...first, outputRef: 'f1/filled.docx' });
    // A re-render replaces the reference; the result itself is still the first one.
    await store.setFillOutputRef('f1', 'f1/filled-again.docx');
    expect(await store.putFillResult('f1', result('other'))).toEqual({ ...first, outputRef: 'f1/filled-again.docx' });
  });

  it('keeps the first record when a fill is created twice', async () => {
    await store.createFill({ fillId: 'f1', templateId: 'tpl-1', documentIds: ['d1'] });
    await store.createFill({ fillId: 'f1', templateId: 'tpl-other', documentIds: [] });
    expect(await store.getFill('f1')).toMatchObject({ templateId: 'tpl-1', documentIds: ['d1'] });
  });

  it('refuses a result for a fill never recorded, and an output reference before the result', async () => {
    await expect(store.putFillResult('nope', result('x'))).rejects.toThrow(/fill "nope" is not in the store/);
    expect(await store.getFill('nope')).toBeUndefined();
    await expect(store.setFillOutputRef('nope', 'nope/x.md')).rejects.toThrow(/fill "nope" has no stored result/);
    await store.createFill({ fillId: 'f1', templateId: 'tpl-1', documentIds: [] });
    await expect(store.setFillOutputRef('f1', 'f1/x.md')).rejects.toThrow(/putFillResult must come first/);
    expect((await store.getFill('f1'))?.result).toBeUndefined();
  });
});

describe('answer cache', () => {
  it('stores, overwrites and counts answers', async () => {
    expect(await store.cacheGet('k1')).toBeUndefined();
    expect(await store.cacheSize()).toBe(0);
    const answer = { text: '{"a":1}', promptTokens: 120, outputTokens: 8, finishReason: 'STOP' };
    await store.cachePut('k1', answer);
    expect(await store.cacheGet('k1')).toEqual(answer);
    await store.cachePut('k1', { ...answer, text: '{"a":2}' });
    await store.cachePut('k2', answer);
    expect((await store.cacheGet('k1'))?.text).toBe('{"a":2}');
    expect(await store.cacheSize()).toBe(2);
  });
});

describe('usage', () => {
  it('totals events over every fill and for one fill', async () => {
    const zero = await store.usageTotals();
    expect(zero).toEqual({
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

    await store.recordUsage(
      { fillId: 'f1', batchId: 'b1', kind: 'api_call', promptTokens: 100, outputTokens: 20, fields: 3 },
    );
    await store.recordUsage({ fillId: 'f1', batchId: 'b2', kind: 'api_call', fields: 2 });
    await store.recordUsage({ fillId: 'f1', batchId: 'b2', kind: 'rate_limited', detail: 'per-minute' });
    await store.recordUsage({ fillId: 'f1', batchId: 'b2', kind: 'retry' });
    await store.recordUsage({ fillId: 'f1', batchId: 'b3', kind: 'cache_hit', promptTokens: 999 });
    await store.recordUsage(
      { fillId: 'f2', batchId: 'b1', kind: 'api_call', promptTokens: 50, outputTokens: 5, fields: 1 },
    );
    await store.recordUsage({ fillId: 'f2', batchId: 'b1', kind: 'rate_limited', detail: 'per-day' });
    await store.recordUsage({ fillId: 'f2', batchId: 'b1', kind: 'rate_limited', detail: 'per-minute' });
    await store.recordUsage({ fillId: 'f2', batchId: 'b1', kind: 'rate_limited' });
    await store.recordUsage(
      { fillId: 'f2', batchId: 'b1', kind: 'error', detail: 'bad-request', at: '2024-01-01T00:00:00Z' },
    );

    expect(await store.usageTotals()).toEqual({
      apiCalls: 3,
      cacheHits: 1,
      promptTokens: 150,
      outputTokens: 25,
      rateLimited: 4,
      rateLimitedByKind: { 'per-day': 1, 'per-minute': 2, unknown: 1 },
      retries: 1,
      errors: 1,
      fieldsAsked: 6,
      quotaWaitMs: 0,
      parkedMs: 0,
    });
    expect(await store.usageTotals('f1')).toMatchObject({
      apiCalls: 2,
      cacheHits: 1,
      promptTokens: 100,
      rateLimited: 1,
      rateLimitedByKind: { 'per-minute': 1 },
      fieldsAsked: 5,
    });
    expect((await store.usageTotals('no-such-fill')).apiCalls).toBe(0);
  });
});

describe('usage by endpoint', () => {
  const google = { endpoint: 'gemini', model: 'gemini-3.5-flash' };
  const emulator = { endpoint: 'http://127.0.0.1:4010', model: 'gemini-3.5-flash' };

  it('names the endpoint and model that answered most of a fill\'s fields, from answered requests and cache hits', async () => {
    expect(await store.usageAnsweredBy('f1')).toBeUndefined();
    await store.recordUsage({ fillId: 'f1', batchId: 'b1', kind: 'api_call', ...google, promptTokens: 100, outputTokens: 9, fields: 3 });
    await store.recordUsage({ fillId: 'f1', batchId: 'b2', kind: 'cache_hit', ...emulator, fields: 2 });
    expect(await store.usageAnsweredBy('f1')).toEqual(google);
    await store.recordUsage({ fillId: 'f1', batchId: 'b3', kind: 'cache_hit', ...emulator, fields: 2 });
    expect(await store.usageAnsweredBy('f1')).toEqual(emulator);
    expect(await store.usageAnsweredBy('f2')).toBeUndefined();
  });

  it('counts nothing as answered by a failed request, an embedding request, a 429 or an event without an endpoint', async () => {
    await store.recordUsage({ fillId: 'f1', batchId: 'b1', kind: 'api_call', ...google });
    await store.recordUsage({ fillId: 'f1', batchId: 'embed', kind: 'api_call', endpoint: 'gemini', model: 'gemini-embedding-001', fields: 0, detail: 'embed' });
    await store.recordUsage({ fillId: 'f1', batchId: 'b1', kind: 'rate_limited', ...google, detail: 'per-minute', fields: 9 });
    await store.recordUsage({ fillId: 'f1', batchId: 'b2', kind: 'api_call', fields: 30 });
    await store.recordUsage({ fillId: 'f1', batchId: '-', kind: 'parked', detail: '60000' });
    expect(await store.usageAnsweredBy('f1')).toBeUndefined();
  });

  it('breaks a tie the same way on every read', async () => {
    await store.recordUsage({ fillId: 'f1', batchId: 'b1', kind: 'api_call', ...emulator, fields: 2 });
    await store.recordUsage({ fillId: 'f1', batchId: 'b2', kind: 'api_call', ...google, fields: 2 });
    expect(await store.usageAnsweredBy('f1')).toEqual(google);
  });

  it('totals requests, cache hits and tokens per endpoint and model, busiest first, adding up to the totals', async () => {
    expect(await store.usageByEndpoint()).toEqual([]);
    await store.recordUsage({ fillId: 'f1', batchId: 'b1', kind: 'api_call', ...google, promptTokens: 100, outputTokens: 10, fields: 3 });
    await store.recordUsage({ fillId: 'f1', batchId: 'b2', kind: 'api_call', ...google });
    await store.recordUsage({ fillId: 'f1', batchId: 'b2', kind: 'rate_limited', ...google, detail: 'per-minute' });
    await store.recordUsage({ fillId: 'f1', batchId: 'e', kind: 'api_call', endpoint: 'gemini', model: 'gemini-embedding-001', promptTokens: 40, fields: 0 });
    await store.recordUsage({ fillId: 'f2', batchId: 'b1', kind: 'cache_hit', ...emulator, fields: 3, promptTokens: 999 });
    await store.recordUsage({ fillId: 'f2', batchId: 'b2', kind: 'cache_hit', ...emulator, fields: 3 });
    await store.recordUsage({ fillId: 'f2', batchId: 'b3', kind: 'cache_hit', ...emulator, fields: 3 });
    // Recorded before endpoints were: counted, under `unknown`.
    await store.recordUsage({ fillId: 'f2', batchId: 'b4', kind: 'api_call', promptTokens: 7, outputTokens: 1 });
    await store.recordUsage({ fillId: 'f2', batchId: '-', kind: 'parked', detail: '1000' });

    const all = await store.usageByEndpoint();
    expect(all).toEqual([
      { ...emulator, apiCalls: 0, cacheHits: 3, promptTokens: 0, outputTokens: 0 },
      { ...google, apiCalls: 2, cacheHits: 0, promptTokens: 100, outputTokens: 10 },
      { endpoint: 'gemini', model: 'gemini-embedding-001', apiCalls: 1, cacheHits: 0, promptTokens: 40, outputTokens: 0 },
      { endpoint: 'unknown', model: 'unknown', apiCalls: 1, cacheHits: 0, promptTokens: 7, outputTokens: 1 },
    ]);
    const totals = await store.usageTotals();
    const sum = (k: 'apiCalls' | 'cacheHits' | 'promptTokens' | 'outputTokens') => all.reduce((n, r) => n + r[k], 0);
    expect({ apiCalls: sum('apiCalls'), cacheHits: sum('cacheHits'), promptTokens: sum('promptTokens'), outputTokens: sum('outputTokens') }).toEqual({
      apiCalls: totals.apiCalls,
      cacheHits: totals.cacheHits,
      promptTokens: totals.promptTokens,
      outputTokens: totals.outputTokens,
    });
    expect(await store.usageByEndpoint('f1')).toEqual([
      { ...google, apiCalls: 2, cacheHits: 0, promptTokens: 100, outputTokens: 10 },
      { endpoint: 'gemini', model: 'gemini-embedding-001', apiCalls: 1, cacheHits: 0, promptTokens: 40, outputTokens: 0 },
    ]);
  });
});

describe('two connections to one file', () => {
  it('interleave writes and each sees the other', async () => {
    const other = open();
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 50; i++) {
      const s = i % 2 === 0 ? store : other;
      writes.push(putText(s, `${i}.txt`, `Document ${i} about harbours.`));
      writes.push(s.recordUsage({ fillId: 'f', batchId: `b${i}`, kind: 'api_call' }));
    }
    writes.push(putText(store, 'same.txt', 'Identical text.'), putText(other, 'same.txt', 'Identical text.'));
    await Promise.all(writes);
    expect((await other.listDocuments()).length).toBe(51);
    expect((await store.usageTotals('f')).apiCalls).toBe(50);
  });

  it('fail with SQLITE_BUSY only once the busy timeout runs out (the control for the next test)', async () => {
    const holder = new Database(dbPath);
    holder.exec('BEGIN IMMEDIATE');
    try {
      const impatient = openSqliteStore(dbPath, { busyTimeoutMs: 0 });
      openStores.push(impatient);
      await expect(putText(impatient, 'x.txt', 'Blocked.')).rejects.toThrow(/locked|busy/i);
      const patient = openSqliteStore(dbPath, { busyTimeoutMs: 150 });
      openStores.push(patient);
      const started = Date.now();
      await expect(patient.recordUsage({ fillId: 'f', batchId: 'b', kind: 'retry' })).rejects.toThrow(/locked|busy/i);
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  it('from two processes at once, waiting out a held write lock instead of failing', async () => {
    await store.close();
    // A third connection holds the write lock, so both writers must wait on the busy timeout.
    const holder = new Database(dbPath);
    holder.exec('BEGIN IMMEDIATE');
    const script = fileURLToPath(new URL('./concurrent-writer.ts', import.meta.url));
    const opened: Promise<void>[] = [];
    const run = (label: string) => {
      let signalOpened: () => void = () => {};
      opened.push(new Promise<void>((r) => (signalOpened = r)));
      return new Promise<string>((resolvePromise, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script, dbPath, label, '40'], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('opened\n')) signalOpened();
        });
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('error', reject);
        child.on('exit', (code) =>
          code === 0 ? resolvePromise(out) : reject(new Error(`writer ${label} exited ${code}: ${err}`)),
        );
      });
    };
    const writers = [run('a'), run('b')];
    await Promise.all(opened);
    await new Promise((r) => setTimeout(r, 300));
    holder.exec('COMMIT');
    holder.close();
    expect(await Promise.all(writers)).toEqual(['opened\ndone\n', 'opened\ndone\n']);

    const check = open();
    const docs = await check.listDocuments();
    expect(docs.length).toBe(81);
    expect(docs.filter((d) => d.name === 'shared')).toHaveLength(1);
    expect((await check.usageTotals()).apiCalls).toBe(80);
    expect((await check.usageTotals('fill-a')).fieldsAsked).toBe(80);
    const hits = await check.searchChunks('lighthouse keeper', docs.map((d) => d.id), 100);
    expect(hits).toHaveLength(80);
  }, 20_000);
});
