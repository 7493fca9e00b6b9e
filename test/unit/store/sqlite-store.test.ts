/** @module What only the SQLite store has: a file (its folders, WAL, the schema version), FTS5 query building, and
 * the busy timeout that makes writers of one file wait for each other. The behaviour both stores share is in
 * contract/. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toFtsQuery } from '../../../src/store/sqlite-documents.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';
import type { Store } from '../../../src/store/store.js';
import { putText } from './contract/chunks.js';
import { runTogether, storeScript } from './contract/child-processes.js';

let dir: string;
let dbPath: string;
let store: Store;
const openStores: Store[] = [];

function open(path = dbPath, opts: { busyTimeoutMs?: number } = {}): Store {
  const s = openSqliteStore(path, opts);
  openStores.push(s);
  return s;
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

  it('rolls back the FTS index with the rows when a chunk insert fails', async () => {
    const text = 'First chunk. Second chunk.';
    await expect(
      store.putDocument({ name: 'bad.txt', mimeType: 'text/plain', text }, [
        { seq: 0, start: 0, end: 12, text: 'First chunk.', tokens: 3 },
        { seq: 0, start: 13, end: text.length, text: 'Second chunk.', tokens: 3 },
      ]),
    ).rejects.toThrow(/UNIQUE/);
    const raw = new Database(dbPath, { readonly: true });
    try {
      expect(raw.prepare('SELECT count(*) AS n FROM chunks').get()).toEqual({ n: 0 });
      expect(raw.prepare("SELECT count(*) AS n FROM chunks_fts WHERE chunks_fts MATCH 'second'").get()).toEqual({ n: 0 });
    } finally {
      raw.close();
    }
  });
});

describe('toFtsQuery', () => {
  it.each([
    ['drops punctuation and stopwords, quotes and ORs terms', 'What is the "invoice" number?', '"invoice" OR "number"'],
    ['lowercases and dedups', 'Total TOTAL total', '"total"'],
    ['keeps stopwords when nothing else is left', 'to the', '"to" OR "the"'],
    ['splits on colons and hyphens', 'text:INV-2024', '"text" OR "inv" OR "2024"'],
    ['nothing searchable', '?!', undefined],
  ] as const)('%s', (_name, input, expected) => {
    expect(toFtsQuery(input)).toBe(expected);
  });
});

describe('writers of one file', () => {
  it('fail with SQLITE_BUSY only once the busy timeout runs out (the control for the next test)', async () => {
    const holder = new Database(dbPath);
    holder.exec('BEGIN IMMEDIATE');
    try {
      const impatient = open(dbPath, { busyTimeoutMs: 0 });
      await expect(putText(impatient, 'x.txt', 'Blocked.')).rejects.toThrow(/locked|busy/i);
      const patient = open(dbPath, { busyTimeoutMs: 150 });
      const started = Date.now();
      await expect(patient.recordUsage({ fillId: 'f', batchId: 'b', kind: 'retry' })).rejects.toThrow(/locked|busy/i);
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  it('from two processes at once, wait out a held write lock instead of failing', async () => {
    await store.close();
    // A third connection holds the write lock, so both writers must wait on the busy timeout.
    const holder = new Database(dbPath);
    holder.exec('BEGIN IMMEDIATE');
    const outs = await runTogether(
      storeScript('concurrent-writer.ts'),
      [
        [dbPath, 'a', '40'],
        [dbPath, 'b', '40'],
      ],
      {
        afterGo: async () => {
          await new Promise((r) => setTimeout(r, 300));
          holder.exec('COMMIT');
          holder.close();
        },
      },
    );
    expect(outs).toEqual(['opened\ndone\n', 'opened\ndone\n']);
    const check = open();
    const docs = await check.listDocuments();
    expect(docs.length).toBe(81);
    expect(docs.filter((d) => d.name === 'shared')).toHaveLength(1);
    expect((await check.usageTotals()).apiCalls).toBe(80);
  }, 30_000);
});
