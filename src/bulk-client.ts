/** @module The bulk client, beside FillflowClient: start a bulk (through the one start path, src/bulk/start-bulk.ts),
 * follow it across its runs, resume or cancel it, and read its results. Results need the store the workers use,
 * since rows and their results live there, not in Temporal.
 * @example
 * const bulks = new BulkClient(fillflow.temporal, { config, store });
 * const { bulkId } = await bulks.startBulk({ rows: [{ row: 'a', templateId: 'nda', documentIds: [id] }] });
 * const state = await bulks.waitForBulk(bulkId, { onProgress: (s) => console.log(s.progress.completed) });
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { BulkProgress } from './bulk/bulk-records.js';
import { bulkSummary, type BulkStatus, type BulkSummary } from './bulk/results.js';
import { priceTable } from './bulk/price-table.js';
import { startBulk, type BulkRequest } from './bulk/start-bulk.js';
import type { FillflowConfig } from './config.js';
import type { FillProgress } from './core/fill-records.js';
import type { Store } from './store/store.js';
import { bulkProgressQuery, bulkResumeSignal } from './workflows/bulk-messages.js';
import { progressQuery } from './workflows/messages.js';

export type { BulkProgress } from './bulk/bulk-records.js';
export type { BulkRequest } from './bulk/start-bulk.js';
export type { BulkSummary, BulkResultLine } from './bulk/results.js';

export interface BulkClientOptions {
  /** @default 'fillflow' */
  taskQueue?: string;
  /** The edge's configuration: the rows' fill options and the default window come from it. */
  config?: Readonly<FillflowConfig>;
  /** The store the workers use: where rows are recorded and results read. */
  store: Store;
}

/** A bulk's state, as `fillflow bulk status` and `GET /api/bulks/:id` show it. */
export interface BulkState {
  bulkId: string;
  status: BulkStatus;
  progress: { rows: number; completed: number; failed: number; cancelled: number; running: number; parked: number; pending: number };
  /** Summed from the rows' results so far (the workflow's running totals). */
  usage: { apiCalls: number; cacheHits: number; promptTokens: number; outputTokens: number; rateLimited: number };
  /** While parked: when rows start again by itself (ISO 8601). */
  resumeAt?: string;
  /** Seconds until every row has ended, at the pace so far; absent before a row has ended or once done. */
  etaSeconds?: number;
  /** The workflow's own view while it runs. */
  detail?: BulkProgress;
  /** Why it failed, when it did. */
  error?: string;
}

export class BulkClient {
  constructor(
    readonly temporal: Client,
    private readonly options: BulkClientOptions,
  ) {}

  /** Records the rows and starts the bulk; returns its ID and the input it started with. */
  startBulk(req: BulkRequest) {
    return startBulk({ temporal: this.temporal, ...this.options }, req);
  }

  /**
   * The bulk's state. `parked` counts the rows in flight parked on the daily quota (one query per row in
   * flight), only when `countParked` is set; otherwise rows are counted parked while the bulk itself is.
   * @throws WorkflowNotFoundError for an unknown ID
   */
  async getBulk(bulkId: string, opts: { countParked?: boolean } = {}): Promise<BulkState> {
    const handle = this.temporal.workflow.getHandle(bulkId);
    const { status, startTime } = await handle.describe();
    if (status.name === 'RUNNING' || status.name === 'CONTINUED_AS_NEW') {
      const progress = await handle.query(bulkProgressQuery).catch(() => undefined);
      if (!progress) return this.fromStore(bulkId, 'running');
      const parked = opts.countParked ? await this.parkedRows(progress.runningFills) : progress.phase === 'paused-quota' ? progress.running : 0;
      const bulk = await this.options.store.getBulk(bulkId);
      const since = Date.parse(bulk?.createdAt ?? startTime.toISOString());
      return {
        bulkId,
        status: progress.phase === 'paused-quota' ? 'paused-quota' : 'running',
        progress: { rows: progress.rows, completed: progress.completed, failed: progress.failed, cancelled: progress.cancelled, running: progress.running, parked, pending: progress.pending },
        usage: { apiCalls: progress.apiCalls, cacheHits: progress.cacheHits, promptTokens: progress.promptTokens, outputTokens: progress.outputTokens, rateLimited: progress.rateLimited },
        ...(progress.resumeAt ? { resumeAt: progress.resumeAt } : {}),
        ...eta(progress, Date.now() - since - progress.pausedMs),
        detail: progress,
      };
    }
    const closed: BulkStatus =
      status.name === 'COMPLETED' ? 'completed' : status.name === 'CANCELLED' ? 'cancelled' : status.name === 'TERMINATED' ? 'terminated' : status.name === 'TIMED_OUT' ? 'timed_out' : 'failed';
    const state = await this.fromStore(bulkId, closed);
    if (closed === 'failed') {
      await handle.result().catch((err: unknown) => {
        state.error = innermost(err);
      });
    }
    return state;
  }

  /** Waits until the bulk closes (through every continue-as-new), calling `onProgress` when its state changes. */
  async waitForBulk(bulkId: string, opts: { onProgress?: (s: BulkState) => void; pollMs?: number } = {}): Promise<BulkState> {
    let last = '';
    for (;;) {
      const state = await this.getBulk(bulkId);
      const key = JSON.stringify({ ...state, etaSeconds: undefined, detail: undefined });
      if (key !== last) {
        last = key;
        opts.onProgress?.(state);
      }
      if (state.status !== 'running' && state.status !== 'paused-quota') return state;
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
    }
  }

  /** Ends the bulk's park at once, reopens the day and wakes its parked rows. */
  async resume(bulkId: string): Promise<void> {
    await this.temporal.workflow.getHandle(bulkId).signal(bulkResumeSignal);
  }

  /** Cancels the bulk and its rows in flight; resolves once it has closed, with how many rows had finished. */
  async cancel(bulkId: string, opts: { wait?: boolean } = {}): Promise<BulkState> {
    const handle = this.temporal.workflow.getHandle(bulkId);
    await handle.cancel();
    if (opts.wait === false) return this.getBulk(bulkId);
    await handle.result().catch(() => undefined);
    return this.getBulk(bulkId);
  }

  /** summary.json's content: the rows' outcomes and usage from the store, the status from Temporal. */
  async summary(bulkId: string, status?: BulkStatus): Promise<BulkSummary> {
    const s = status ?? (await this.getBulk(bulkId)).status;
    const config = this.options.config;
    return bulkSummary(this.options.store, bulkId, s, { prices: priceTable(config?.bulk.prices), model: config?.gemini.model ?? 'unknown' });
  }

  private async fromStore(bulkId: string, status: BulkStatus): Promise<BulkState> {
    const counts = await this.options.store.bulkRowCounts(bulkId);
    const rows = counts.pending + counts.completed + counts.failed + counts.cancelled;
    const summary = await this.summary(bulkId, status);
    return {
      bulkId,
      status,
      progress: { rows, completed: summary.completed, failed: summary.failed, cancelled: summary.cancelled, running: 0, parked: 0, pending: summary.pending },
      usage: { apiCalls: summary.usage.apiCalls, cacheHits: summary.usage.cacheHits, promptTokens: summary.usage.promptTokens, outputTokens: summary.usage.outputTokens, rateLimited: summary.usage.rateLimited },
    };
  }

  private async parkedRows(fillIds: string[]): Promise<number> {
    const phases = await Promise.all(
      fillIds.map((id) =>
        this.temporal.workflow
          .getHandle(id)
          .query(progressQuery)
          .then((p: FillProgress) => p.phase)
          .catch(() => undefined),
      ),
    );
    return phases.filter((p) => p === 'paused-quota').length;
  }
}

function eta(p: BulkProgress, activeMs: number): { etaSeconds?: number } {
  const ended = p.completed + p.failed + p.cancelled;
  const left = p.rows - ended;
  if (ended === 0 || left <= 0 || p.phase === 'paused-quota') return {};
  return { etaSeconds: Math.round(((activeMs / ended) * left) / 1000) };
}

function innermost(err: unknown): string {
  if (err instanceof WorkflowNotFoundError) return err.message;
  let message = err instanceof Error ? err.message : String(err);
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    e = (e as { cause?: unknown }).cause;
    if (e instanceof Error && e.message) message = e.message;
  }
  return message;
}
