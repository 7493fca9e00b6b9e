/** @module The SQLite implementation of the fills part of the store: a fill's inputs, and its result written
 * once. Temporal owns a fill's status; the store keeps no copy of it. Its table is the baseline's (see
 * sqlite-store.ts), migrated here. */
import type Database from 'better-sqlite3';
import type { FillResult } from '../core/types.js';
import type { SqliteModule } from './sqlite-modules.js';
import type { FillRecord, Store } from './store.js';

type FillStore = Pick<Store, 'createFill' | 'putFillResult' | 'setFillOutputRef' | 'getFill'>;

interface FillRow {
  fill_id: string;
  template_id: string;
  document_ids: string;
  result: string | null;
  created_at: string;
  updated_at: string;
}

function toFillRecord(row: FillRow): FillRecord {
  const fill: FillRecord = {
    fillId: row.fill_id,
    templateId: row.template_id,
    documentIds: JSON.parse(row.document_ids) as string[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.result !== null) fill.result = JSON.parse(row.result) as FillResult;
  return fill;
}

function createFills(db: Database.Database): FillStore {
  const sql = {
    // An activity retried after a lost reply calls this again; the first record stands.
    insert: db.prepare<[string, string, string, string, string]>(
      `INSERT INTO fills (fill_id, template_id, document_ids, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?) ON CONFLICT (fill_id) DO NOTHING`,
    ),
    resultOf: db.prepare<[string], { result: string | null }>('SELECT result FROM fills WHERE fill_id = ?'),
    setResult: db.prepare<[string, string, string]>('UPDATE fills SET result = ?, updated_at = ? WHERE fill_id = ?'),
    // json_set changes outputRef alone: the values, quotes and usage stay exactly as finalizeFill wrote them.
    setOutputRef: db.prepare<[string, string, string]>(
      `UPDATE fills SET result = json_set(result, '$.outputRef', ?), updated_at = ?
       WHERE fill_id = ? AND result IS NOT NULL`,
    ),
    byId: db.prepare<[string], FillRow>(
      'SELECT fill_id, template_id, document_ids, result, created_at, updated_at FROM fills WHERE fill_id = ?',
    ),
  };

  // Immediate: the check and the write are one step for every process, so two finalizers cannot both write.
  const putResult = db.transaction((fillId: string, json: string): string => {
    const row = sql.resultOf.get(fillId);
    if (!row) throw new Error(`fill "${fillId}" is not in the store; createFill must come first`);
    if (row.result !== null) return row.result;
    sql.setResult.run(json, new Date().toISOString(), fillId);
    return json;
  });

  return {
    async createFill(fill) {
      const at = new Date().toISOString();
      sql.insert.run(fill.fillId, fill.templateId, JSON.stringify(fill.documentIds), at, at);
    },
    async putFillResult(fillId, result) {
      return JSON.parse(putResult.immediate(fillId, JSON.stringify(result))) as FillResult;
    },
    async setFillOutputRef(fillId, outputRef) {
      const { changes } = sql.setOutputRef.run(outputRef, new Date().toISOString(), fillId);
      if (changes === 0) throw new Error(`fill "${fillId}" has no stored result; putFillResult must come first`);
    },
    async getFill(fillId) {
      const row = sql.byId.get(fillId);
      return row ? toFillRecord(row) : undefined;
    },
  };
}

export const sqliteFills: SqliteModule<FillStore> = {
  name: 'fills',
  migrations: [
    // One fact, one owner: a fill's status is Temporal's (the workflow's state, the FillflowStatus search
    // attribute). The copy kept here went stale whenever a fill ended without its last activity (cancelled,
    // timed out, a worker lost). DROP COLUMN needs SQLite 3.35; better-sqlite3 bundles its own, newer one.
    'ALTER TABLE fills DROP COLUMN status;',
  ],
  create: createFills,
};
