/** @module The small records that cross Temporal boundaries for a bulk: the `bulkFill` workflow's input (what
 * continue-as-new carries: an offset and running totals, never rows), its progress and its result, and the
 * bulk activities' inputs. Pure, with no imports but types, so the workflow bundle may use it. */
import type { FillOptions } from '../core/fill-records.js';

/**
 * How a bulk's rows reach Gemini: `standard` (each fill's own calls), `flex` (a row's requests answered first at the
 * flex tier), `batch` (a group's requests answered first by one Batch Mode job), `auto` (batch when the deadline
 * allows and the group is big enough, else standard). See docs/bulk.md.
 */
export type BulkRoute = 'standard' | 'flex' | 'batch' | 'auto';

export const BULK_ROUTES: readonly BulkRoute[] = ['standard', 'flex', 'batch', 'auto'];

/** What the bulk's rows have used so far, summed from their results. */
export interface BulkUsage {
  apiCalls: number;
  cacheHits: number;
  promptTokens: number;
  outputTokens: number;
  rateLimited: number;
}

/** Running totals: carried from one run of the workflow to the next. */
export interface BulkTotals extends BulkUsage {
  completed: number;
  failed: number;
  cancelled: number;
  /** Time the bulk spent parked on an exhausted daily quota (ms). */
  pausedMs: number;
}

export interface BulkInput {
  bulkId: string;
  /** Rows in the store (the bulks part) under `bulkId`. */
  rows: number;
  /** Every row's fill options, resolved at the edge: `bulk` priority, the API key's fairness key. */
  options: FillOptions;
  /** Most rows' fills in flight at once. @default {@link DEFAULT_WORKFLOW_WINDOW} */
  window?: number;
  /** @default 'standard' */
  route?: BulkRoute;
  /** When the bulk should be done (ISO 8601); informs the route, never stops a row. */
  deadline?: string;
  /** Carried by continue-as-new: rows before it have all ended. @default 0 */
  offset?: number;
  /** Carried by continue-as-new. */
  totals?: BulkTotals;
  /** Carried by continue-as-new: how many runs came before this one. @default 0 */
  runsBefore?: number;
  /** Tests only: continue as new once this many rows have started in one run (as if the server suggested it). */
  continueAfterRows?: number;
  /** How often the bulk reads the key's day while its rows end nothing (ms). @default 60000 */
  quotaCheckMs?: number;
  /** Batch and auto routes: how the bulk uses Batch Mode. */
  batch?: BatchRouteSettings;
}

export interface BatchRouteSettings {
  /** Rows per Batch Mode job. @default {@link DEFAULT_BATCH_ROWS} */
  rows?: number;
  /** How often a job is polled (a durable timer between polls). @default 60000 */
  pollMs?: number;
  /** Route auto: the fewest rows worth a job. @default 20 */
  autoMinRows?: number;
  /** Route auto: batch only when the deadline is at least this far off (or there is none). @default 2 h */
  autoMinLeadMs?: number;
  /** Route auto: this long before the deadline an unfinished job is cancelled and its rows go standard. @default 1 h */
  autoMarginMs?: number;
  /** Tests only: upload the requests as a file above this many bytes. @default 20 MB */
  inlineLimitBytes?: number;
}

/** Rows per Batch Mode job by default: a job's requests stay well under the 20 MB inline limit for most templates. */
export const DEFAULT_BATCH_ROWS = 500;

/** A window the workflow uses when its input names none (a bulk started by another client). */
export const DEFAULT_WORKFLOW_WINDOW = 8;
/** The most rows in flight at once: Temporal's guidance keeps pending children in the hundreds. */
export const MAX_WINDOW = 500;

export type BulkPhase = 'running' | 'paused-quota' | 'continuing' | 'cancelling' | 'completed' | 'cancelled';

/** What the bulk's `progress` query answers. */
export interface BulkProgress extends BulkTotals {
  bulkId: string;
  phase: BulkPhase;
  rows: number;
  /** Rows whose fill is in flight. */
  running: number;
  /** Their fill IDs (at most the window). */
  runningFills: string[];
  /** Rows not started yet. */
  pending: number;
  window: number;
  route: BulkRoute;
  /** This run's number, from 1: continue-as-new starts the next. */
  run: number;
  /** While parked: when the bulk starts rows again by itself (ISO 8601). */
  resumeAt?: string;
  /** Batch and auto routes: the group's job now, and what the jobs so far answered. */
  batch?: BatchProgress;
}

export interface BatchProgress {
  /** Jobs created so far in this run. */
  jobs: number;
  /** The current (or last) job's name and state, and the first row of its group. */
  job?: string;
  state?: string;
  group?: number;
  /** Requests answered by Batch Mode, and those left to the standard route (failed or cut items), so far. */
  answered: number;
  failed: number;
  truncated: number;
}

/** The workflow's result (a cancelled bulk ends as cancelled; its rows' outcomes are in the store). */
export interface BulkResult extends BulkTotals {
  bulkId: string;
  status: 'completed';
  rows: number;
  runs: number;
}

/** A row as the workflow needs it: IDs only. */
export interface BulkRowRef {
  index: number;
  row: string;
  fillId: string;
  templateId: string;
  documentIds: string[];
}

export interface LoadBulkRowsInput {
  bulkId: string;
  offset: number;
  limit: number;
}

export interface BulkCheckpointInput {
  bulkId: string;
  outcomes: { index: number; status: 'completed' | 'failed' | 'cancelled'; reason?: string }[];
  /** The API key's identity: whose daily quota the rows spend. */
  fairnessKey?: string;
}

export interface BulkCheckpointResult {
  /** Set while the key's daily quota is closed: when it reopens (ms since epoch). */
  dayClosedUntil?: number;
}

export function emptyTotals(): BulkTotals {
  return { completed: 0, failed: 0, cancelled: 0, apiCalls: 0, cacheHits: 0, promptTokens: 0, outputTokens: 0, rateLimited: 0, pausedMs: 0 };
}
