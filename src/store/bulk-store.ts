/** @module Bulk fills: a bulk's rows (template and documents per row, in manifest order) and each row's
 * outcome. The store methods of this part. Rows live here, never in a workflow's history: the `bulkFill`
 * workflow reads them a page at a time and records each row's outcome as its child fill ends. A completed
 * row's FillResult is the fill's own (the fills part, under the row's fill ID); only a failed or cancelled
 * row's reason is kept here.
 *
 * Implementations: sqlite-bulks.ts; a Postgres one keeps the same two tables (`bulks`, `bulk_rows`) with
 * `(bulk_id, idx)` as the rows' primary key. Every method is a single statement or one short transaction. */

/**
 * The fill ID of a bulk's row, derived from the bulk and the row alone: it is the child workflow's ID, so a
 * restarted bulk can never start a row twice (the server refuses a second start of the same ID).
 */
export function bulkRowFillId(bulkId: string, row: string): string {
  return `${bulkId}/${row}`;
}

/** One row of a bulk as the manifest (or the HTTP request) gave it, its files already stored. */
export interface NewBulkRow {
  /** The row's own ID (unique within the bulk); the row's fill ID is `${bulkId}/${row}`. */
  row: string;
  templateId: string;
  documentIds: string[];
}

/** How a row ended; rows not yet ended are `pending` (running or not started: the workflow knows which). */
export type BulkRowStatus = 'pending' | 'completed' | 'failed' | 'cancelled';

export interface BulkRowRecord extends NewBulkRow {
  bulkId: string;
  /** Position in the manifest, from 0: results are written in this order. */
  index: number;
  /** `${bulkId}/${row}`: the child fill's workflow ID and its record in the fills part. */
  fillId: string;
  status: BulkRowStatus;
  /** Why a failed or cancelled row did not complete. */
  reason?: string;
  updatedAt: string;
}

/**
 * What the edge that started a bulk wants kept beside it: its settings and forecast, for `bulk status`,
 * `bulk results` and the summary. Opaque to the store (kept as JSON); small.
 */
export type BulkMeta = Record<string, unknown>;

export interface BulkRecord {
  bulkId: string;
  /** Rows in the bulk. */
  rows: number;
  meta: BulkMeta;
  createdAt: string;
}

/** Rows of a bulk by status. */
export type BulkRowCounts = Record<BulkRowStatus, number>;

/** An outcome the workflow records as a row's child fill ends. */
export interface BulkRowOutcome {
  index: number;
  status: Exclude<BulkRowStatus, 'pending'>;
  reason?: string;
}

/** One request of a Batch Mode job (the batch route): whose it is, so its answer is cached and counted for that row. */
export interface BulkBatchItem {
  /** The answer-cache key of the request, and its key in the job. */
  key: string;
  /** The row's fill ID: the item's usage is that fill's. */
  fillId: string;
  /** The planned batch of the row's fill it answers. */
  batchId: string;
  fieldKeys: string[];
}

/** What a job is known to have become: `submitted` until it ends, `collected` once its answers are cached. */
export type BulkBatchJobState = 'submitted' | 'succeeded' | 'failed' | 'cancelled' | 'expired' | 'collected';

/**
 * A Batch Mode job serving a group of a bulk's rows. Recorded the moment Gemini names it, because creating a job is
 * not idempotent: a retried or replayed submission finds it here instead of creating (and paying for) another.
 */
export interface BulkBatchJob {
  bulkId: string;
  /** The first row (index) of the group it serves. */
  group: number;
  /** 1 for the group's first job; an expired job is followed by another for what it left unanswered. */
  attempt: number;
  /** Gemini's name for it (`batches/…`). */
  name: string;
  state: BulkBatchJobState;
  items: BulkBatchItem[];
  createdAt: string;
}

export interface BulkStore {
  /**
   * Records a bulk and its rows, in one transaction. Idempotent: a bulk already recorded is left as it is
   * (its rows too). @throws on a duplicate row ID within `rows`
   */
  createBulk(bulk: { bulkId: string; meta: BulkMeta }, rows: NewBulkRow[]): Promise<void>;
  getBulk(bulkId: string): Promise<BulkRecord | undefined>;
  /** Replaces the bulk's meta (the edge adds the final summary to it); unknown bulks are ignored. */
  setBulkMeta(bulkId: string, meta: BulkMeta): Promise<void>;
  /** Rows `offset` to `offset + limit - 1` in manifest order (fewer at the end). */
  listBulkRows(bulkId: string, offset: number, limit: number): Promise<BulkRowRecord[]>;
  /**
   * Records how rows ended. A row's first outcome stands: a replayed or retried record changes nothing, and
   * a completed row is never marked otherwise. Returns how many rows this call changed, by their new status.
   */
  recordBulkRowOutcomes(bulkId: string, outcomes: BulkRowOutcome[]): Promise<BulkRowCounts>;
  bulkRowCounts(bulkId: string): Promise<BulkRowCounts>;
  /** Records a job the moment it exists, in state `submitted`. @throws when the group already has that attempt */
  recordBulkBatchJob(job: Omit<BulkBatchJob, 'state' | 'createdAt'>): Promise<void>;
  /** A group's jobs, oldest attempt first. */
  bulkBatchJobs(bulkId: string, group: number): Promise<BulkBatchJob[]>;
  /** A job's state; a `collected` job keeps that state. */
  setBulkBatchJobState(name: string, state: BulkBatchJobState): Promise<void>;
}
