/** @module A store file written by the release before endpoints were recorded opens, keeps what it should,
 * drops what it cannot attribute to an endpoint, and ends with the schema of a file created new. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyUsage, type FillResult } from '../../../src/core/types.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';
import type { Store } from '../../../src/store/store.js';
import { SHIPPED_PART_VERSIONS, createShippedStore } from './schema-as-shipped.js';

let dir: string;
const stores: Store[] = [];
const open = (path: string): Store => {
  const s = openSqliteStore(path);
  stores.push(s);
  return s;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fillflow-migrate-'));
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

const TEXT = 'The supplier is Acme Ltd. Invoices are payable within thirty days.';
const DOC = 'doc-1';
const oldResult: FillResult = {
  fillId: 'f-done',
  templateId: 'tpl',
  status: 'completed',
  fields: [{ key: 'supplier', value: 'Acme Ltd', status: 'filled', method: 'gemini', sources: [] }],
  answeredBy: { endpoint: 'gemini', model: 'gemini-2.5-flash' },
  usage: { ...emptyUsage(), apiCalls: 1 },
};

/** What a file in the field holds: a document, a template, two fills, a cached answer, usage, vectors, memory. */
function writeOldRows(db: Database.Database): void {
  const at = '2026-01-01T00:00:00.000Z';
  db.prepare('INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?)').run(DOC, 'a.txt', 'text/plain', TEXT, TEXT.length, at);
  db.prepare('INSERT INTO chunks (id, document_id, seq, start, "end", text, tokens) VALUES (?, ?, 0, 0, 25, ?, 7)').run(`${DOC}:0`, DOC, TEXT.slice(0, 25));
  db.prepare('INSERT INTO chunks (id, document_id, seq, start, "end", text, tokens) VALUES (?, ?, 1, 26, ?, ?, 10)').run(`${DOC}:1`, DOC, TEXT.length, TEXT.slice(26));
  db.prepare('INSERT INTO templates VALUES (?, ?, ?, ?, ?)').run('tpl', 'T', JSON.stringify({ id: 'tpl', name: 'T', fields: [] }), at, at);
  const fill = db.prepare('INSERT INTO fills VALUES (?, ?, ?, ?, ?, ?, ?)');
  fill.run('f-done', 'tpl', JSON.stringify([DOC]), 'completed', JSON.stringify(oldResult), at, at);
  fill.run('f-stale', 'tpl', JSON.stringify([DOC]), 'running', null, at, at);
  db.prepare('INSERT INTO answer_cache VALUES (?, ?, ?, ?, ?, ?)').run('k', '{"supplier":"Acme"}', 50, 5, 'STOP', at);
  const usage = db.prepare('INSERT INTO usage_events (fill_id, batch_id, kind, detail, prompt_tokens, output_tokens, fields, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  usage.run('f-done', 'b1', 'api_call', null, 50, 5, 1, at);
  usage.run('f-done', 'b1', 'rate_limited', 'per-minute', null, null, null, at);
  const vector = Buffer.from(new Float32Array([1, 0, 0, 0]).buffer);
  db.prepare('INSERT INTO chunk_embeddings VALUES (?, ?, ?, ?)').run(`${DOC}:0`, 'emb', 4, vector);
  db.prepare('INSERT INTO query_embeddings VALUES (?, ?, ?, ?, ?, ?)').run('qk', 'emb', 4, 'supplier', vector, at);
  db.prepare('INSERT INTO field_quotes VALUES (?, ?, ?, ?, ?)').run('tpl', 'supplier', 'Acme Ltd', 'doc-0', 1);
  db.prepare('INSERT INTO field_quote_choices VALUES (?, ?, ?, ?)').run('tpl', 'supplier', 'set', '["Acme Ltd"]');
  db.prepare('INSERT INTO outputs VALUES (?, ?, ?, ?, ?, ?, ?)').run('f-done', 'f-done/out.md', 'tpl', 'out.md', 'text/markdown', Buffer.from('# out'), at);
}

/** Every table, index and trigger, with whitespace folded: the two paths write the same statements differently spaced. */
function schemaOf(path: string): { versions: unknown[]; userVersion: unknown; objects: unknown[] } {
  const db = new Database(path, { readonly: true });
  try {
    return {
      userVersion: db.pragma('user_version', { simple: true }),
      versions: db.prepare('SELECT name, version FROM module_versions ORDER BY name').all(),
      objects: db
        .prepare<[], { type: string; name: string; sql: string | null }>("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
        .all()
        .map((o) => ({ ...o, sql: o.sql?.replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')') })),
    };
  } finally {
    db.close();
  }
}

describe('opening a store file of the release before endpoints', () => {
  it('keeps documents, search, templates, fills, the cache, usage and outputs', async () => {
    const path = join(dir, 'old.db');
    const old = createShippedStore(path);
    writeOldRows(old);
    old.close();

    const store = open(path);
    expect(await store.getDocument(DOC)).toMatchObject({ name: 'a.txt', length: TEXT.length });
    expect((await store.searchChunks('invoices payable', [DOC], 5)).map((h) => h.seq)).toEqual([1]);
    expect(await store.getTemplate('tpl')).toEqual({ id: 'tpl', name: 'T', fields: [] });
    expect(await store.cacheGet('k')).toEqual({ text: '{"supplier":"Acme"}', promptTokens: 50, outputTokens: 5, finishReason: 'STOP' });
    expect((await store.getOutput('f-done'))?.ref).toBe('f-done/out.md');

    // The status column is gone with its stale 'running'; the result written stays the one result.
    const done = await store.getFill('f-done');
    expect(done).toMatchObject({ fillId: 'f-done', documentIds: [DOC], result: oldResult });
    expect(done && 'status' in done).toBe(false);
    expect(await store.putFillResult('f-done', { ...oldResult, fields: [] })).toEqual(oldResult);
    await store.putFillResult('f-stale', { ...oldResult, fillId: 'f-stale' });
    await store.setFillOutputRef('f-stale', 'f-stale/out.md');
    expect((await store.getFill('f-stale'))?.result?.outputRef).toBe('f-stale/out.md');

    // Old usage counts, under an unknown endpoint; it names no endpoint as the one that answered.
    expect(await store.usageTotals('f-done')).toMatchObject({ apiCalls: 1, rateLimited: 1, promptTokens: 50 });
    expect(await store.usageByEndpoint()).toEqual([{ endpoint: 'unknown', model: 'unknown', apiCalls: 1, cacheHits: 0, promptTokens: 50, outputTokens: 5 }]);
    expect(await store.usageAnsweredBy('f-done')).toBeUndefined();
    await store.recordUsage({ fillId: 'f-new', batchId: 'b', kind: 'api_call', endpoint: 'gemini', model: 'm', fields: 2 });
    expect(await store.usageAnsweredBy('f-new')).toEqual({ endpoint: 'gemini', model: 'm' });
  });

  it('drops vectors and field memory, which no endpoint can be named for, and both work again at once', async () => {
    const path = join(dir, 'old.db');
    const old = createShippedStore(path);
    writeOldRows(old);
    old.close();

    const store = open(path);
    const space = { endpoint: 'gemini', model: 'emb', dimensions: 4 };
    expect((await store.chunksWithoutEmbedding(space, [DOC])).map((c) => c.chunkId)).toEqual([`${DOC}:0`, `${DOC}:1`]);
    expect((await store.getQueryEmbeddings(space, ['supplier'])).size).toBe(0);
    await store.putChunkEmbeddings(space, [{ chunkId: `${DOC}:0`, vector: [1, 0, 0, 0] }]);
    expect((await store.searchByVector(space, [1, 0, 0, 0], [DOC], 5)).map((h) => h.chunkId)).toEqual([`${DOC}:0`]);

    const scope = { templateId: 'tpl', endpoint: 'gemini' };
    expect(await store.recallQuotes(scope, ['supplier'], ['doc-9'], 4)).toEqual({ supplier: [] });
    await store.rememberQuotes(scope, [{ fieldKey: 'supplier', documentId: 'doc-0', quote: 'Acme Ltd' }]);
    expect(await store.recallQuotes(scope, ['supplier'], ['doc-8'], 4)).toEqual({ supplier: ['Acme Ltd'] });
  });

  it('ends with the schema and versions of a file created new, and migrates once', async () => {
    const oldPath = join(dir, 'old.db');
    createShippedStore(oldPath).close();
    await open(oldPath).close();
    const newPath = join(dir, 'new.db');
    await open(newPath).close();

    const migrated = schemaOf(oldPath);
    expect(migrated).toEqual(schemaOf(newPath));
    expect(migrated.userVersion).toBe(1);
    const versions = Object.fromEntries((migrated.versions as { name: string; version: number }[]).map((v) => [v.name, v.version]));
    // Every part shipped before has moved on from there or stayed, none went back.
    for (const [name, v] of Object.entries(SHIPPED_PART_VERSIONS)) expect(versions[name]).toBeGreaterThanOrEqual(v);
    expect(versions).toMatchObject({ embeddings: 2, 'field-memory': 2, fills: 1, usage: 1 });

    // Opening again runs nothing: a table a migration would drop keeps its rows.
    const store = open(oldPath);
    await store.rememberQuotes({ templateId: 't', endpoint: 'gemini' }, [{ fieldKey: 'f', documentId: 'd', quote: 'q' }]);
    await store.close();
    expect(await open(oldPath).recallQuotes({ templateId: 't', endpoint: 'gemini' }, ['f'], ['x'], 1)).toEqual({ f: ['q'] });
  });
});
