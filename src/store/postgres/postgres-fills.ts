/** @module The Postgres implementation of the fills part of the store: a fill's inputs, and its result written
 * once. Temporal owns a fill's status; the store keeps no copy of it. Results are `json` (not `jsonb`), so a
 * result reads back exactly as finalizeFill wrote it. */
import type { FillResult } from '../../core/types.js';
import type { FillRecord, Store } from '../store.js';
import type { PgModule } from './postgres-modules.js';

type FillStore = Pick<Store, 'createFill' | 'putFillResult' | 'setFillOutputRef' | 'getFill'>;

interface FillRow {
  fill_id: string;
  template_id: string;
  document_ids: string[];
  result: FillResult | null;
  created_at: Date;
  updated_at: Date;
}

function toFillRecord(row: FillRow): FillRecord {
  const fill: FillRecord = {
    fillId: row.fill_id,
    templateId: row.template_id,
    documentIds: row.document_ids,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
  if (row.result !== null) fill.result = row.result;
  return fill;
}

export const postgresFills: PgModule<FillStore> = {
  name: 'fills',
  migrations: [
    `
    CREATE TABLE fills (
      fill_id text PRIMARY KEY,
      template_id text NOT NULL,
      document_ids json NOT NULL,
      result json,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    `,
  ],
  create(db) {
    return {
      async createFill(fill) {
        // An activity retried after a lost reply calls this again; the first record stands.
        await db.query(
          'INSERT INTO fills (fill_id, template_id, document_ids) VALUES ($1, $2, $3::json) ON CONFLICT (fill_id) DO NOTHING',
          [fill.fillId, fill.templateId, JSON.stringify(fill.documentIds)],
        );
      },
      async putFillResult(fillId, result) {
        return db.tx(async (q) => {
          // The row lock makes the check and the write one step: a second finalizer waits, then finds the result.
          const [row] = await q.query<{ result: FillResult | null }>('SELECT result FROM fills WHERE fill_id = $1 FOR UPDATE', [fillId]);
          if (!row) throw new Error(`fill "${fillId}" is not in the store; createFill must come first`);
          if (row.result !== null) return row.result;
          await q.query('UPDATE fills SET result = $2::json, updated_at = now() WHERE fill_id = $1', [fillId, JSON.stringify(result)]);
          return JSON.parse(JSON.stringify(result)) as FillResult;
        });
      },
      async setFillOutputRef(fillId, outputRef) {
        await db.tx(async (q) => {
          const [row] = await q.query<{ result: FillResult | null }>('SELECT result FROM fills WHERE fill_id = $1 FOR UPDATE', [fillId]);
          if (!row || row.result === null) throw new Error(`fill "${fillId}" has no stored result; putFillResult must come first`);
          // Only outputRef changes: the values, quotes and usage stay exactly as finalizeFill wrote them.
          await q.query('UPDATE fills SET result = $2::json, updated_at = now() WHERE fill_id = $1', [fillId, JSON.stringify({ ...row.result, outputRef })]);
        });
      },
      async getFill(fillId) {
        const [row] = await db.query<FillRow>(
          'SELECT fill_id, template_id, document_ids, result, created_at, updated_at FROM fills WHERE fill_id = $1',
          [fillId],
        );
        return row ? toFillRecord(row) : undefined;
      },
    };
  },
};
