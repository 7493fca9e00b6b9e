/** @module The Postgres implementation of the bulks part of the store (bulk-store.ts): a bulk, its rows in manifest
 * order, how each row ended, and the batch route's Batch Mode jobs. The SQLite part's tables, with `(bulk_id, idx)`
 * as the rows' key. */
import {
  bulkRowFillId,
  type BulkBatchItem,
  type BulkBatchJobState,
  type BulkMeta,
  type BulkRowCounts,
  type BulkRowRecord,
  type BulkRowStatus,
  type BulkStore,
} from '../bulk-store.js';
import type { PgModule } from './postgres-modules.js';

interface BulkRow {
  bulk_id: string;
  rows: number;
  meta: BulkMeta;
  created_at: Date;
}

interface JobRow {
  bulk_id: string;
  grp: number;
  attempt: number;
  name: string;
  state: BulkBatchJobState;
  items: BulkBatchItem[];
  created_at: Date;
}

interface RowRow {
  bulk_id: string;
  idx: number;
  row_id: string;
  template_id: string;
  document_ids: string[];
  fill_id: string;
  status: BulkRowStatus;
  reason: string | null;
  updated_at: Date;
}

function toRowRecord(r: RowRow): BulkRowRecord {
  return {
    bulkId: r.bulk_id,
    index: r.idx,
    row: r.row_id,
    templateId: r.template_id,
    documentIds: r.document_ids,
    fillId: r.fill_id,
    status: r.status,
    ...(r.reason !== null ? { reason: r.reason } : {}),
    updatedAt: r.updated_at.toISOString(),
  };
}

export const postgresBulks: PgModule<BulkStore> = {
  name: 'bulks',
  migrations: [
    `
    CREATE TABLE bulks (
      bulk_id text PRIMARY KEY,
      rows integer NOT NULL,
      meta json NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE bulk_rows (
      bulk_id text NOT NULL REFERENCES bulks(bulk_id) ON DELETE CASCADE,
      idx integer NOT NULL,
      row_id text NOT NULL,
      template_id text NOT NULL,
      document_ids json NOT NULL,
      fill_id text NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'completed', 'failed', 'cancelled')),
      reason text,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (bulk_id, idx),
      UNIQUE (bulk_id, row_id)
    );
    `,
    // The batch route: every Batch Mode job, recorded the moment it exists (creation is not idempotent).
    `
    CREATE TABLE bulk_batch_jobs (
      bulk_id text NOT NULL REFERENCES bulks(bulk_id) ON DELETE CASCADE,
      grp integer NOT NULL,
      attempt integer NOT NULL,
      name text NOT NULL UNIQUE,
      state text NOT NULL,
      items json NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (bulk_id, grp, attempt)
    );
    `,
  ],
  create(db) {
    return {
      async createBulk(bulk, rows) {
        await db.tx(async (q) => {
          // A bulk already recorded is left as it is, rows and all (a retried start).
          const inserted = await q.query('INSERT INTO bulks (bulk_id, rows, meta) VALUES ($1, $2, $3::json) ON CONFLICT (bulk_id) DO NOTHING RETURNING bulk_id', [
            bulk.bulkId,
            rows.length,
            JSON.stringify(bulk.meta),
          ]);
          if (inserted.length === 0 || rows.length === 0) return;
          await q.query(
            `INSERT INTO bulk_rows (bulk_id, idx, row_id, template_id, document_ids, fill_id, status)
             SELECT $1, r.idx - 1, r.row_id, r.template_id, r.document_ids::json, r.fill_id, 'pending'
             FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS r(row_id, template_id, document_ids, fill_id, idx)`,
            [
              bulk.bulkId,
              rows.map((r) => r.row),
              rows.map((r) => r.templateId),
              rows.map((r) => JSON.stringify(r.documentIds)),
              rows.map((r) => bulkRowFillId(bulk.bulkId, r.row)),
            ],
          );
        });
      },
      async getBulk(bulkId) {
        const [r] = await db.query<BulkRow>('SELECT bulk_id, rows, meta, created_at FROM bulks WHERE bulk_id = $1', [bulkId]);
        return r ? { bulkId: r.bulk_id, rows: r.rows, meta: r.meta, createdAt: r.created_at.toISOString() } : undefined;
      },
      async setBulkMeta(bulkId, meta) {
        await db.query('UPDATE bulks SET meta = $2::json WHERE bulk_id = $1', [bulkId, JSON.stringify(meta)]);
      },
      async listBulkRows(bulkId, offset, limit) {
        const rows = await db.query<RowRow>(
          `SELECT bulk_id, idx, row_id, template_id, document_ids, fill_id, status, reason, updated_at
           FROM bulk_rows WHERE bulk_id = $1 AND idx >= $2 ORDER BY idx LIMIT $3`,
          [bulkId, Math.max(0, Math.floor(offset)), Math.max(0, Math.floor(limit))],
        );
        return rows.map(toRowRecord);
      },
      async recordBulkRowOutcomes(bulkId, outcomes) {
        const changed: BulkRowCounts = { pending: 0, completed: 0, failed: 0, cancelled: 0 };
        if (outcomes.length === 0) return changed;
        // The first outcome stands: only a pending row changes, so a replayed record changes nothing.
        const rows = await db.query<{ status: BulkRowStatus }>(
          `UPDATE bulk_rows b SET status = o.status, reason = o.reason, updated_at = now()
           FROM unnest($2::int[], $3::text[], $4::text[]) AS o(idx, status, reason)
           WHERE b.bulk_id = $1 AND b.idx = o.idx AND b.status = 'pending'
           RETURNING b.status`,
          [bulkId, outcomes.map((o) => o.index), outcomes.map((o) => o.status), outcomes.map((o) => o.reason ?? null)],
        );
        for (const r of rows) changed[r.status]++;
        return changed;
      },
      async recordBulkBatchJob(job) {
        const inserted = await db.query(
          `INSERT INTO bulk_batch_jobs (bulk_id, grp, attempt, name, state, items) VALUES ($1, $2, $3, $4, 'submitted', $5::json)
           ON CONFLICT DO NOTHING RETURNING name`,
          [job.bulkId, job.group, job.attempt, job.name, JSON.stringify(job.items)],
        );
        // As SQLite's part does: a job already recorded for that attempt (or under that name) is refused.
        if (inserted.length === 0) {
          throw new Error(`bulk "${job.bulkId}" group ${job.group} already has a job for attempt ${job.attempt}, or one named ${job.name} (unique constraint)`);
        }
      },
      async bulkBatchJobs(bulkId, group) {
        const rows = await db.query<JobRow>(
          'SELECT bulk_id, grp, attempt, name, state, items, created_at FROM bulk_batch_jobs WHERE bulk_id = $1 AND grp = $2 ORDER BY attempt',
          [bulkId, group],
        );
        return rows.map((r) => ({
          bulkId: r.bulk_id,
          group: r.grp,
          attempt: r.attempt,
          name: r.name,
          state: r.state,
          items: r.items,
          createdAt: r.created_at.toISOString(),
        }));
      },
      async setBulkBatchJobState(name, state) {
        // A collected job keeps that state: its answers are in the cache, whatever Gemini says of it later.
        await db.query("UPDATE bulk_batch_jobs SET state = $1 WHERE name = $2 AND state <> 'collected'", [state, name]);
      },
      async bulkRowCounts(bulkId) {
        const counts: BulkRowCounts = { pending: 0, completed: 0, failed: 0, cancelled: 0 };
        const rows = await db.query<{ status: BulkRowStatus; n: number }>('SELECT status, count(*)::int AS n FROM bulk_rows WHERE bulk_id = $1 GROUP BY status', [bulkId]);
        for (const { status, n } of rows) counts[status] = n;
        return counts;
      },
    };
  },
};
