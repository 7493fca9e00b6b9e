/** @module The one start path of a bulk, shared by every edge (the CLI, the HTTP API, BulkClient): make the bulk
 * ID, resolve the rows' fill options as a fill's (src/fill-start.ts) at bulk priority, record the bulk and its
 * rows in the store, and start the `bulkFill` workflow with its search attributes. */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FillflowConfig } from '../config.js';
import type { FillOptions } from '../core/fill-records.js';
import { TASK_QUEUE } from '../core/task-queues.js';
import { resolveFillOptions } from '../fill-start.js';
import type { BulkMeta, NewBulkRow } from '../store/bulk-store.js';
import type { Store } from '../store/store.js';
// Type only: a starting process never loads workflow code.
import type { bulkFill } from '../workflows/bulk-fill.js';
import { FILL_BULK_ID, FILL_STATUS } from '../workflows/search-attributes.js';
import { DEFAULT_WORKFLOW_WINDOW, type BatchRouteSettings, type BulkInput, type BulkRoute } from './bulk-records.js';
import { defaultWindow, type RowCost } from './window-size.js';

export interface BulkRequest {
  rows: NewBulkRow[];
  /** Every row's fill options; they win over the configuration's. `priority` is always `bulk`. */
  options?: Partial<FillOptions>;
  /** Rows in flight at once. @default the configuration's `bulk.window`, else sized to the quota from `rowCost` */
  window?: number;
  /** @default 'standard' */
  route?: BulkRoute;
  /** When the bulk should be done (ISO 8601). */
  deadline?: string;
  /** What one row costs (from the forecast): sizes the default window. @default one call of no tokens */
  rowCost?: RowCost;
  /** Kept with the bulk in the store (the forecast, where the manifest was). */
  meta?: BulkMeta;
  /** Defaults to a new `bulk-<uuid>`. */
  bulkId?: string;
  /** Tests only: continue as new after this many rows per run. */
  continueAfterRows?: number;
  /** How often the bulk reads the key's day while its rows end nothing (ms). @default 60000 */
  quotaCheckMs?: number;
  /** Batch and auto routes: rows per job, poll interval, auto's thresholds. */
  batch?: BatchRouteSettings;
}

export interface BulkStarter {
  temporal: Client;
  /** @default 'fillflow' */
  taskQueue?: string;
  config?: Readonly<FillflowConfig>;
  store: Pick<Store, 'createBulk'>;
}

export function newBulkId(): string {
  return `bulk-${randomUUID()}`;
}

/** Every row's options: a fill's, resolved the same way, at bulk priority. */
export function resolveBulkOptions(config: Readonly<FillflowConfig> | undefined, own: Partial<FillOptions> = {}): FillOptions {
  return resolveFillOptions(config, { ...own, priority: 'bulk' });
}

/** The window a bulk runs with: the request's, else the configuration's, else one minute of the quota. */
export function resolveWindow(config: Readonly<FillflowConfig> | undefined, req: Pick<BulkRequest, 'window' | 'rowCost'>): number {
  if (req.window !== undefined) return req.window;
  if (config?.bulk.window !== undefined) return config.bulk.window;
  if (!config) return DEFAULT_WORKFLOW_WINDOW;
  return defaultWindow(config.limits, req.rowCost ?? { calls: 1, promptTokens: 0 });
}

/** Records the bulk and starts its workflow; returns its ID and the input it started with. */
export async function startBulk(starter: BulkStarter, req: BulkRequest): Promise<{ bulkId: string; input: BulkInput }> {
  const bulkId = req.bulkId ?? newBulkId();
  const input: BulkInput = {
    bulkId,
    rows: req.rows.length,
    options: resolveBulkOptions(starter.config, req.options),
    window: resolveWindow(starter.config, req),
    route: req.route ?? 'standard',
    ...(req.deadline !== undefined ? { deadline: req.deadline } : {}),
    ...(req.continueAfterRows !== undefined ? { continueAfterRows: req.continueAfterRows } : {}),
    ...(req.quotaCheckMs !== undefined ? { quotaCheckMs: req.quotaCheckMs } : {}),
    ...(req.batch !== undefined ? { batch: req.batch } : {}),
  };
  await starter.store.createBulk({ bulkId, meta: { ...req.meta, window: input.window, route: input.route, ...(req.deadline ? { deadline: req.deadline } : {}) } }, req.rows);
  const start = (i: BulkInput) =>
    starter.temporal.workflow.start<typeof bulkFill>('bulkFill', {
      workflowId: bulkId,
      taskQueue: starter.taskQueue ?? TASK_QUEUE,
      args: [i],
      staticSummary: `bulk of ${i.rows} row(s), ${i.window} in flight, ${i.route} route`,
      ...(i.options.searchAttributes !== false
        ? { typedSearchAttributes: [{ key: FILL_STATUS, value: 'running' }, { key: FILL_BULK_ID, value: bulkId }] }
        : {}),
    });
  try {
    await start(input);
  } catch (err) {
    // As for a fill: a cluster without Fillflow's search attributes runs the bulk (and its rows) without them.
    if (input.options.searchAttributes === false || !/search attribute/i.test(errorText(err))) throw err;
    input.options = { ...input.options, searchAttributes: false };
    await start(input);
  }
  return { bulkId, input };
}

function errorText(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    parts.push(String((e as { message?: unknown }).message ?? e), String((e as { details?: unknown }).details ?? ''));
  }
  return parts.join(' ');
}
