/** @module The batch (and auto) route of a bulk, as the window sees it: a row may start once its group's requests
 * have been through a Batch Mode job (their answers in the cache), or the route chose standard for the group.
 * One group at a time: submit (the job recorded in the store the moment it exists), poll with durable timers,
 * collect; an expired job is followed by another for what it left unanswered; on route auto a job still running
 * near the deadline is cancelled and its rows go standard. */
import { isCancellation, proxyActivities, sleep } from '@temporalio/workflow';
import type { BulkRouteActivities } from '../activities/bulk-routes.js';
import { DEFAULT_BATCH_ROWS, type BatchProgress, type BulkInput } from '../bulk/bulk-records.js';
import { NON_RETRYABLE_FAILURES } from '../core/failure-types.js';
import { GEMINI_TASK_QUEUE } from '../core/task-queues.js';
import { geminiPriority } from './priority.js';

const POLL_MS = 60_000;
const AUTO_MIN_ROWS = 20;
const AUTO_MIN_LEAD_MS = 2 * 3_600_000;
const AUTO_MARGIN_MS = 3_600_000;
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'expired']);

export function routeActivities(input: Pick<BulkInput, 'options'>): BulkRouteActivities {
  return proxyActivities<BulkRouteActivities>({
    taskQueue: GEMINI_TASK_QUEUE,
    // Planning a group of rows and a flex row's calls (minutes each at the flex tier) take a while; heartbeats say it lives.
    startToCloseTimeout: '1 hour',
    heartbeatTimeout: '2 minutes',
    retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10, nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURES] },
    priority: geminiPriority(input.options),
  });
}

export class BatchRoute {
  /** Rows before this index may start. */
  primedTo: number;
  readonly progress: BatchProgress = { jobs: 0, answered: 0, failed: 0, truncated: 0 };
  private priming: Promise<void> | undefined;
  private readonly groupRows: number;
  private readonly activities: BulkRouteActivities;

  constructor(
    private readonly input: BulkInput & { offset: number },
    private readonly wake: () => void,
  ) {
    const batchy = input.route === 'batch' || input.route === 'auto';
    this.primedTo = batchy ? input.offset : Number.POSITIVE_INFINITY;
    this.groupRows = Math.max(1, input.batch?.rows ?? DEFAULT_BATCH_ROWS);
    this.activities = routeActivities(input);
  }

  /** A group is being answered: the run neither starts its rows nor continues as new until it is done. */
  get busy(): boolean {
    return this.priming !== undefined;
  }

  /** Starts answering the group of row `index` when its rows are next and nothing is under way. */
  prime(index: number): void {
    if (this.priming || index < this.primedTo || index >= this.input.rows) return;
    // Groups are aligned to multiples of the group size, so every run of the bulk names a group the same way.
    const group = Math.floor(index / this.groupRows) * this.groupRows;
    const end = Math.min(this.input.rows, group + this.groupRows);
    this.priming = this.answerGroup(group, end)
      .catch((err: unknown) => {
        // Whatever went wrong, the rows still run: their fills send every request the batch did not answer.
        if (isCancellation(err)) throw err;
      })
      .finally(() => {
        this.primedTo = end;
        this.priming = undefined;
        this.wake();
      });
    this.priming.catch(() => undefined);
  }

  /** The bulk was cancelled: a job still running is cancelled too (its rows will not run). */
  async cancel(): Promise<void> {
    const { job, state } = this.progress;
    if (job && state !== undefined && !TERMINAL.has(state)) await this.activities.cancelBulkBatch({ job }).catch(() => undefined);
  }

  private async answerGroup(group: number, end: number): Promise<void> {
    const settings = this.input.batch ?? {};
    if (this.input.route === 'auto' && !this.worthBatch(end - group)) return;
    for (;;) {
      const sub = await this.activities.submitBulkBatch({
        bulkId: this.input.bulkId,
        group,
        rows: end - group,
        options: this.input.options,
        ...(settings.inlineLimitBytes !== undefined ? { inlineLimitBytes: settings.inlineLimitBytes } : {}),
      });
      if (!sub.job) return;
      if (sub.job !== this.progress.job) this.progress.jobs++;
      Object.assign(this.progress, { job: sub.job, state: sub.state, group });
      let state: string = sub.state ?? 'pending';
      while (!TERMINAL.has(state)) {
        if (this.nearDeadline()) {
          await this.activities.cancelBulkBatch({ job: sub.job });
          state = 'cancelled';
          break;
        }
        await sleep(this.pollDelay(settings.pollMs ?? POLL_MS));
        state = (await this.activities.pollBulkBatch({ job: sub.job })).state;
        this.progress.state = state;
      }
      this.progress.state = state;
      if (state === 'succeeded') {
        const c = await this.activities.collectBulkBatch({ bulkId: this.input.bulkId, group, job: sub.job });
        this.progress.answered += c.answered;
        this.progress.failed += c.failed;
        this.progress.truncated += c.truncated;
        return;
      }
      // Expired: the next submission asks again only what is unanswered (the cache is the checkpoint).
      if (state !== 'expired') return;
    }
  }

  /** Route auto: batch when the group is big enough and the deadline (if any) leaves time for a job. */
  private worthBatch(rows: number): boolean {
    const s = this.input.batch ?? {};
    if (rows < (s.autoMinRows ?? AUTO_MIN_ROWS)) return false;
    if (this.input.deadline === undefined) return true;
    return Date.parse(this.input.deadline) - Date.now() >= (s.autoMinLeadMs ?? AUTO_MIN_LEAD_MS);
  }

  /** Route auto: the deadline is near enough that what the job has not done must go standard now. */
  private nearDeadline(): boolean {
    if (this.input.route !== 'auto' || this.input.deadline === undefined) return false;
    return Date.now() >= Date.parse(this.input.deadline) - (this.input.batch?.autoMarginMs ?? AUTO_MARGIN_MS);
  }

  /** The next poll, never past the moment route auto must give up on the job. */
  private pollDelay(pollMs: number): number {
    if (this.input.route !== 'auto' || this.input.deadline === undefined) return pollMs;
    const giveUpAt = Date.parse(this.input.deadline) - (this.input.batch?.autoMarginMs ?? AUTO_MARGIN_MS);
    return Math.max(1, Math.min(pollMs, giveUpAt - Date.now()));
  }
}
