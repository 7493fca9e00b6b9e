/** @module The fill's durable pause on an exhausted daily quota: one shared park for every batch that meets it,
 * visible in the progress query (and so in the current details, which follow it) and search attributes; ends at
 * the reset or on `resume`. */
import { condition, metricMeter, upsertSearchAttributes } from '@temporalio/workflow';
import type { FillProgress } from '../core/fill-records.js';
import { quotaResumeAt } from '../core/quota-reset.js';
import { parkedUntil } from './operator-view.js';
import { fillflowMetrics } from '../metrics/fillflow-metrics.js';
import { FILL_RESUME_AT, FILL_STATUS } from './search-attributes.js';

/** What the Gemini rounds (Extraction) need of a park: wait in it, and know whether the fill has parked. */
export interface Park {
  /** Set once the fill has parked: later calls reopen the ledger's day first. */
  readonly reopen: boolean;
  /** Resolves when the fill may ask Gemini again. */
  wait(): Promise<void>;
}

export class QuotaPark implements Park {
  private parked: Promise<void> | undefined;
  private resumeRequested = false;
  /** Set once the fill has parked: later calls reopen the ledger's day first. */
  reopen = false;

  constructor(
    private readonly fillId: string,
    private readonly progress: FillProgress,
    private readonly searchAttributes: boolean,
  ) {}

  /** The `resume` signal: ends a park at once; ignored when not parked. */
  resume(): void {
    if (this.parked) this.resumeRequested = true;
  }

  get isParked(): boolean {
    return this.parked !== undefined;
  }

  /** Waits until the quota resets (plus this fill's stagger) or a `resume` arrives; batches that meet the closed day join the same wait. */
  wait(): Promise<void> {
    this.parked ??= this.park().finally(() => {
      this.parked = undefined;
    });
    return this.parked;
  }

  private async park(): Promise<void> {
    const start = Date.now();
    const until = quotaResumeAt(this.fillId, start);
    const phaseBefore = this.progress.phase;
    this.progress.phase = 'paused-quota';
    this.progress.resumeAt = new Date(until).toISOString();
    this.resumeRequested = false;
    fillflowMetrics(metricMeter).fillParked();
    if (this.searchAttributes) {
      upsertSearchAttributes([
        { key: FILL_STATUS, value: 'paused-quota' },
        { key: FILL_RESUME_AT, value: new Date(until) },
      ]);
    }
    // A durable timer raced against the signal (the sleep-for-days shape): a worker restart changes nothing.
    await condition(() => this.resumeRequested, until - start, { summary: parkedUntil(this.progress.resumeAt) });
    this.progress.pausedMs = (this.progress.pausedMs ?? 0) + (Date.now() - start);
    this.progress.phase = phaseBefore === 'paused-quota' ? 'extracting' : phaseBefore;
    delete this.progress.resumeAt;
    this.reopen = true;
    if (this.searchAttributes) {
      upsertSearchAttributes([
        { key: FILL_STATUS, value: 'running' },
        { key: FILL_RESUME_AT, value: null },
      ]);
    }
  }
}
