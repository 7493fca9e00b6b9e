/** @module The SQLite implementation of the bulks part of the store (bulk-store.ts): a bulk, its rows in
 * manifest order, how each row ended, and the batch route's Batch Mode jobs. Its own tables and migrations. */
import type Database from 'better-sqlite3';
import { bulkRowFillId, type BulkBatchJob, type BulkBatchJobState, type BulkRecord, type BulkRowCounts, type BulkRowOutcome, type BulkRowRecord, type BulkRowStatus, type BulkStore, type NewBulkRow } from './bulk-store.js';
import type { SqliteModule } from './sqlite-modules.js';

interface BulkRow {
  bulk_id: string;
  rows: number;
  meta: string;
  created_at: string;
}

interface JobRow {
  bulk_id: string;
  grp: number;
  attempt: number;
  name: string;
  state: BulkBatchJobState;
  items: string;
  created_at: string;
}

interface RowRow {
  bulk_id: string;
  idx: number;
  row_id: string;
  template_id: string;
  document_ids: string;
  fill_id: string;
  status: BulkRowStatus;
  reason: string | null;
  updated_at: string;
}

function toRowRecord(r: RowRow): BulkRowRecord {
  return {
    bulkId: r.bulk_id,
    index: r.idx,
    row: r.row_id,
    templateId: r.template_id,
    documentIds: JSON.parse(r.document_ids) as string[],
    fillId: r.fill_id,
    status: r.status,
    ...(r.reason !== null ? { reason: r.reason } : {}),
    updatedAt: r.updated_at,
  };
}

function createBulks(db: Database.Database): BulkStore {
  const sql = {
    insertBulk: db.prepare<[string, number, string, string]>(
      'INSERT INTO bulks (bulk_id, rows, meta, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (bulk_id) DO NOTHING',
    ),
    insertRow: db.prepare<[string, number, string, string, string, string, string]>(
      `INSERT INTO bulk_rows (bulk_id, idx, row_id, template_id, document_ids, fill_id, status, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)`,
    ),
    bulk: db.prepare<[string], BulkRow>('SELECT bulk_id, rows, meta, created_at FROM bulks WHERE bulk_id = ?'),
    setMeta: db.prepare<[string, string]>('UPDATE bulks SET meta = ? WHERE bulk_id = ?'),
    page: db.prepare<[string, number, number], RowRow>(
      `SELECT bulk_id, idx, row_id, template_id, document_ids, fill_id, status, reason, updated_at
       FROM bulk_rows WHERE bulk_id = ? AND idx >= ? ORDER BY idx LIMIT ?`,
    ),
    // The first outcome stands: only a pending row changes.
    outcome: db.prepare<[string, string | null, string, string, number]>(
      `UPDATE bulk_rows SET status = ?, reason = ?, updated_at = ? WHERE bulk_id = ? AND idx = ? AND status = 'pending'`,
    ),
    counts: db.prepare<[string], { status: BulkRowStatus; n: number }>('SELECT status, count(*) AS n FROM bulk_rows WHERE bulk_id = ? GROUP BY status'),
    insertJob: db.prepare<[string, number, number, string, string, string]>(
      `INSERT INTO bulk_batch_jobs (bulk_id, grp, attempt, name, state, items, created_at) VALUES (?, ?, ?, ?, 'submitted', ?, ?)`,
    ),
    jobs: db.prepare<[string, number], JobRow>(
      'SELECT bulk_id, grp, attempt, name, state, items, created_at FROM bulk_batch_jobs WHERE bulk_id = ? AND grp = ? ORDER BY attempt',
    ),
    // A collected job stays collected: its answers are in the cache, and a late poll must not send it round again.
    setJobState: db.prepare<[string, string]>("UPDATE bulk_batch_jobs SET state = ? WHERE name = ? AND state != 'collected'"),
  };

  const create = db.transaction((bulkId: string, meta: string, rows: NewBulkRow[]) => {
    const at = new Date().toISOString();
    if (sql.insertBulk.run(bulkId, rows.length, meta, at).changes === 0) return;
    rows.forEach((r, i) => sql.insertRow.run(bulkId, i, r.row, r.templateId, JSON.stringify(r.documentIds), bulkRowFillId(bulkId, r.row), at));
  });
  const record = db.transaction((bulkId: string, outcomes: BulkRowOutcome[]): BulkRowCounts => {
    const at = new Date().toISOString();
    const changed: BulkRowCounts = { pending: 0, completed: 0, failed: 0, cancelled: 0 };
    for (const o of outcomes) changed[o.status] += sql.outcome.run(o.status, o.reason ?? null, at, bulkId, o.index).changes;
    return changed;
  });

  return {
    async createBulk(bulk, rows) {
      create.immediate(bulk.bulkId, JSON.stringify(bulk.meta), rows);
    },
    async getBulk(bulkId) {
      const r = sql.bulk.get(bulkId);
      return r ? ({ bulkId: r.bulk_id, rows: r.rows, meta: JSON.parse(r.meta) as BulkRecord['meta'], createdAt: r.created_at } satisfies BulkRecord) : undefined;
    },
    async setBulkMeta(bulkId, meta) {
      sql.setMeta.run(JSON.stringify(meta), bulkId);
    },
    async listBulkRows(bulkId, offset, limit) {
      return sql.page.all(bulkId, Math.max(0, offset), Math.max(0, limit)).map(toRowRecord);
    },
    async recordBulkRowOutcomes(bulkId, outcomes) {
      return record.immediate(bulkId, outcomes);
    },
    async recordBulkBatchJob(job) {
      sql.insertJob.run(job.bulkId, job.group, job.attempt, job.name, JSON.stringify(job.items), new Date().toISOString());
    },
    async bulkBatchJobs(bulkId, group) {
      return sql.jobs.all(bulkId, group).map((r) => ({
        bulkId: r.bulk_id,
        group: r.grp,
        attempt: r.attempt,
        name: r.name,
        state: r.state,
        items: JSON.parse(r.items) as BulkBatchJob['items'],
        createdAt: r.created_at,
      }));
    },
    async setBulkBatchJobState(name, state) {
      sql.setJobState.run(state, name);
    },
    async bulkRowCounts(bulkId) {
      const counts: BulkRowCounts = { pending: 0, completed: 0, failed: 0, cancelled: 0 };
      for (const { status, n } of sql.counts.all(bulkId)) counts[status] = n;
      return counts;
    },
  };
}

export const sqliteBulks: SqliteModule<BulkStore> = {
  name: 'bulks',
  migrations: [
    `
    CREATE TABLE bulks (
      bulk_id TEXT PRIMARY KEY,
      rows INTEGER NOT NULL,
      meta TEXT NOT NULL,
      created_at TEXT NOT NULL
    );
    CREATE TABLE bulk_rows (
      bulk_id TEXT NOT NULL REFERENCES bulks(bulk_id) ON DELETE CASCADE,
      idx INTEGER NOT NULL,
      row_id TEXT NOT NULL,
      template_id TEXT NOT NULL,
      document_ids TEXT NOT NULL,
      fill_id TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'failed', 'cancelled')),
      reason TEXT,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (bulk_id, idx),
      UNIQUE (bulk_id, row_id)
    );
    `,
    // The batch route: every Batch Mode job, recorded the moment it exists (creation is not idempotent).
    `
    CREATE TABLE bulk_batch_jobs (
      bulk_id TEXT NOT NULL REFERENCES bulks(bulk_id) ON DELETE CASCADE,
      grp INTEGER NOT NULL,
      attempt INTEGER NOT NULL,
      name TEXT NOT NULL UNIQUE,
      state TEXT NOT NULL,
      items TEXT NOT NULL,
      created_at TEXT NOT NULL,
      PRIMARY KEY (bulk_id, grp, attempt)
    );
    `,
  ],
  create: createBulks,
};
