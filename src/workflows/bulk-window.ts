/** @module The bulk's sliding window of `fillTemplate` children, as a state machine the workflow drives: which
 * row starts next, the children in flight, outcomes waiting to be recorded, the park on a closed daily quota,
 * and when this run stops starting rows so the workflow can continue as new. */
import {
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  ParentClosePolicy,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import type { BulkActivities } from '../activities/bulk-activities.js';
import type { BulkRouteActivities } from '../activities/bulk-routes.js';
import type { BulkCheckpointInput, BulkInput, BulkProgress, BulkRowRef, BulkTotals } from '../bulk/bulk-records.js';
import { quotaResumeAt } from '../core/quota-reset.js';
import type { FillResult } from '../core/types.js';
// Type only: children are started by name, and fillTemplate is in the same bundle.
import type { fillTemplate } from './fill-template.js';
import { BatchRoute, routeActivities } from './bulk-batch-route.js';
import { resumeSignal } from './messages.js';
import { fillStaticDetails, fillSummary } from './operator-view.js';
import { geminiPriority } from './priority.js';
import { FILL_BULK_ID, FILL_RESUME_AT, FILL_STATUS, FILL_TEMPLATE } from './search-attributes.js';

const STORE_STEP = { startToCloseTimeout: '1 minute', retry: { initialInterval: '1s', maximumInterval: '30s' } } as const;

/**
 * The window's store steps (read a page of rows, record outcomes, reopen the day) as ordinary activities. They were
 * local activities, whose results a live run and its replay may hand to the workflow grouped differently with the
 * children's ends that arrive meanwhile: the window then took another path on replay (one checkpoint more) and a
 * closed bulk could not be queried. An activity's completion is an event, so both see the same grouping.
 */
const storeSteps = proxyActivities<BulkActivities>(STORE_STEP);
/** Histories recorded before the patch 'bulk-store-steps-as-activities' replay with the local activities they used. */
const localStoreSteps = proxyLocalActivities<BulkActivities>(STORE_STEP);

/** Follows a row's fill started before this bulk ran (it may park for a day on the quota, hence the long timeout). */
const follower = proxyActivities<BulkActivities>({
  startToCloseTimeout: '30 days',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5s', maximumInterval: '5 minutes' },
});

/** How often rows in flight that end nothing (all parked, say) still let the bulk read the day again. */
const QUOTA_CHECK_MS = 60_000;

/**
 * Where a run continues as new at the latest (its window drained): under a tenth of Temporal's limits of 50 MB
 * and 51,200 events per history, whatever the server's own suggestion.
 */
const HISTORY_BUDGET = { bytes: 4 * 1024 * 1024, events: 4_000 };
/** What a row's end adds besides its result: the completion event's framing, two workflow tasks, a checkpoint activity. */
const ROW_END_BYTES = 1_024;
const ROW_END_EVENTS = 10;

/** Rows read from the store at a time (at least the window). */
const PAGE_ROWS = 100;

type Outcome = BulkCheckpointInput['outcomes'][number];

interface InFlight {
  ref: BulkRowRef;
  /** Template and documents: a row equal to one in flight waits for it, so it is answered from the cache. */
  sameAs: string;
}

export class BulkWindow {
  readonly progress: BulkProgress;
  readonly totals: BulkTotals;
  /** Index of the next row to start: every row before it has started (and, once the window drains, ended). */
  nextRow: number;
  readonly runNumber: number;
  private readonly inFlight = new Map<number, InFlight>();
  private outcomes: Outcome[] = [];
  private page: BulkRowRef[] = [];
  private pageStart = 0;
  /** The next row is equal to one in flight (this key) and waits for it. */
  private waitingFor: string | undefined;
  /** Set once this run starts no more rows: the server suggested continue-as-new, or the test threshold was met. */
  private closing = false;
  private startedThisRun = 0;
  private endedThisRun = 0;
  /** Bytes of the results of the rows that ended in this run (their completions are most of the history). */
  private resultBytes = 0;
  private wake = false;
  private tick = false;
  private resumeRequested = false;
  private parked: { since: number; until: number } | undefined;
  private readonly tracked: boolean;
  /** Batch and auto routes: which rows' requests Batch Mode has been through (all rows, on other routes). */
  private readonly batchRoute: BatchRoute;
  private readonly routes: BulkRouteActivities;
  private readonly store: BulkActivities;

  constructor(private readonly input: BulkInput & { window: number; offset: number; runsBefore: number; totals?: BulkTotals }) {
    this.totals = { ...input.totals! };
    this.nextRow = input.offset;
    this.runNumber = input.runsBefore + 1;
    this.tracked = input.options.searchAttributes !== false;
    this.progress = {
      bulkId: input.bulkId,
      phase: 'running',
      rows: input.rows,
      running: 0,
      runningFills: [],
      pending: input.rows - input.offset,
      window: input.window,
      route: input.route ?? 'standard',
      run: this.runNumber,
      ...this.totals,
    };
    this.batchRoute = new BatchRoute(input, () => {
      this.wake = true;
    });
    if (input.route === 'batch' || input.route === 'auto') this.progress.batch = this.batchRoute.progress;
    this.routes = routeActivities(input);
    this.store = patched('bulk-store-steps-as-activities') ? storeSteps : localStoreSteps;
  }

  /** The `resume` signal: reopen the day, wake parked rows, and start rows again at once. */
  requestResume(): void {
    this.resumeRequested = true;
    this.wake = true;
  }

  /** Runs until every row has started and ended, or this run is closing and its window has drained. */
  async run(): Promise<void> {
    // The ticker's timer is left to the run's end rather than cancelled here: a workflow that closes drops its
    // pending timers without a command, while a cancel issued in the activation that resolves the last local
    // activity did not replay (the recorded TimerCanceled found no command).
    this.startTicker();
    await this.loop();
  }

  private async loop(): Promise<void> {
    for (;;) {
      if (this.resumeRequested) await this.resume();
      if (!this.closing) this.batchRoute.prime(this.nextRow);
      // The day is read before rows start, and every so often while rows wait: rows in flight that all park
      // on a closed day end nothing, so no row's end would tell the bulk to park.
      const check = this.canStart() || (this.tick && !this.parked && this.nextRow < this.input.rows);
      this.tick = false;
      if (check) {
        const { dayClosedUntil } = await this.checkpoint();
        if (dayClosedUntil === undefined) await this.startRows();
        else if (!this.parked) this.park();
      } else if (this.outcomes.length > 0) {
        await this.checkpoint();
      }
      if (workflowInfo().continueAsNewSuggested || this.historyFull()) this.closing = true;
      // A group in Batch Mode is seen through first: a new run would find its job in the store, but not its activity.
      if (this.inFlight.size === 0 && !this.parked && !this.batchRoute.busy && (this.nextRow >= this.input.rows || this.closing)) break;
      this.publish();
      await this.waitForChange();
    }
    await this.checkpoint();
    this.progress.phase = this.nextRow < this.input.rows ? 'continuing' : 'running';
    this.publish();
  }

  /** After a cancellation: wait for every child to end as it will (cancelled, or completed meanwhile) and record them. */
  async settleAfterCancel(): Promise<void> {
    this.progress.phase = 'cancelling';
    await this.batchRoute.cancel();
    await condition(() => this.inFlight.size === 0);
    await this.checkpoint();
    this.progress.phase = 'cancelled';
    this.publish();
  }

  /**
   * Whether the run must stop starting rows now to stay under {@link HISTORY_BUDGET} once its window has drained:
   * each row in flight will still add its completion (its FillResult, some kilobytes, measured on the rows that
   * ended) and a few events. The server's own suggestion comes at a size the drain could overshoot.
   */
  private historyFull(): boolean {
    const info = workflowInfo();
    const resultBytes = this.endedThisRun > 0 ? this.resultBytes / this.endedThisRun : 0;
    const flight = this.inFlight.size;
    return (
      (info.historySize ?? 0) + flight * (resultBytes + ROW_END_BYTES) >= HISTORY_BUDGET.bytes ||
      info.historyLength + flight * ROW_END_EVENTS >= HISTORY_BUDGET.events
    );
  }

  private canStart(): boolean {
    return (
      !this.closing &&
      !this.parked &&
      this.nextRow < this.input.rows &&
      this.nextRow < this.batchRoute.primedTo &&
      this.inFlight.size < this.input.window &&
      (this.waitingFor === undefined || ![...this.inFlight.values()].some((f) => f.sameAs === this.waitingFor))
    );
  }

  /**
   * Starts rows until the window is full. Starts are not awaited one by one: those of one workflow task go out
   * together. A row equal to one in flight (same template and documents) waits for it, so its calls are answered
   * from the answer cache; the rows after it wait too, which keeps every row before `nextRow` started.
   */
  private async startRows(): Promise<void> {
    this.waitingFor = undefined;
    while (this.canStart()) {
      const ref = await this.rowAt(this.nextRow);
      const sameAs = `${ref.templateId}\u0000${[...ref.documentIds].sort().join('\u0000')}`;
      if ([...this.inFlight.values()].some((f) => f.sameAs === sameAs)) {
        this.waitingFor = sameAs;
        return;
      }
      this.inFlight.set(ref.index, { ref, sameAs });
      this.nextRow++;
      this.startedThisRun++;
      this.startChild(ref);
      if (this.input.continueAfterRows !== undefined && this.startedThisRun >= this.input.continueAfterRows) this.closing = true;
    }
  }

  private async rowAt(index: number): Promise<BulkRowRef> {
    if (index < this.pageStart || index >= this.pageStart + this.page.length) {
      this.page = await this.store.loadBulkRows({ bulkId: this.input.bulkId, offset: index, limit: Math.max(PAGE_ROWS, this.input.window) });
      this.pageStart = index;
    }
    const ref = this.page[index - this.pageStart];
    if (!ref) throw new Error(`bulk ${this.input.bulkId} has no row ${index} in the store (it lists ${this.input.rows})`);
    return ref;
  }

  private startChild(ref: BulkRowRef): void {
    const { options } = this.input;
    // Route flex: the row's requests go first at the flex tier, their answers cached; what was shed or timed out,
    // the fill sends at the standard tier. A failed priming costs nothing but those calls.
    const primed =
      this.input.route === 'flex'
        ? this.routes.primeRowFlex({ row: ref, options }).then(
            () => undefined,
            (err: unknown) => {
              if (isCancellation(err)) throw err;
            },
          )
        : Promise.resolve();
    const started = primed.then(() => startChild<typeof fillTemplate>('fillTemplate', {
      workflowId: ref.fillId,
      args: [{ fillId: ref.fillId, templateId: ref.templateId, documentIds: ref.documentIds, options }],
      // A cancelled (or terminated) bulk asks its rows to cancel; a row's ID is taken once, ever.
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      priority: geminiPriority(options),
      // What an operator reads on the row's page: which bulk and row, template, documents, route, priority.
      staticSummary: fillSummary({
        templateId: ref.templateId,
        documents: ref.documentIds.length,
        route: this.input.route ?? 'standard',
        priority: options.priority ?? 'bulk',
        row: { bulkId: this.input.bulkId, row: ref.row },
      }),
      staticDetails: fillStaticDetails(options),
      ...(this.tracked
        ? {
            typedSearchAttributes: [
              { key: FILL_STATUS, value: 'running' },
              { key: FILL_TEMPLATE, value: ref.templateId },
              { key: FILL_BULK_ID, value: this.input.bulkId },
            ],
          }
        : {}),
    }));
    const result: Promise<FillResult> = started.then(
      (child) => child.result(),
      (err: unknown) => {
        // Started before (a restarted bulk, or a bulk started again with the same ID): follow it, never start it again.
        if (err instanceof WorkflowExecutionAlreadyStartedError) return follower.awaitFill({ fillId: ref.fillId });
        throw err;
      },
    );
    result.then(
      (r) => this.ended(ref, { index: ref.index, status: 'completed' }, r),
      (err: unknown) =>
        this.ended(ref, isCancellation(err) ? { index: ref.index, status: 'cancelled', reason: 'the bulk was cancelled' } : { index: ref.index, status: 'failed', reason: innermostMessage(err) }),
    );
  }

  private ended(ref: BulkRowRef, outcome: Outcome, result?: FillResult): void {
    this.inFlight.delete(ref.index);
    this.endedThisRun++;
    this.outcomes.push(outcome);
    const t = this.totals;
    if (outcome.status === 'completed') t.completed++;
    else if (outcome.status === 'failed') t.failed++;
    else t.cancelled++;
    if (result) {
      this.resultBytes += JSON.stringify(result).length;
      t.apiCalls += result.usage.apiCalls;
      t.cacheHits += result.usage.cacheHits;
      t.promptTokens += result.usage.promptTokens;
      t.outputTokens += result.usage.outputTokens;
      t.rateLimited += result.usage.rateLimited;
    }
    this.wake = true;
  }

  /** Records the outcomes so far, and reads whether the key's day is closed. */
  private async checkpoint(): Promise<{ dayClosedUntil?: number }> {
    const outcomes = this.outcomes;
    this.outcomes = [];
    return this.store.bulkCheckpoint({
      bulkId: this.input.bulkId,
      outcomes,
      ...(this.input.options.fairnessKey !== undefined ? { fairnessKey: this.input.options.fairnessKey } : {}),
    });
  }

  /** The day is closed: start no row until the quota resets (plus this bulk's stagger) or `resume` arrives. */
  private park(): void {
    const since = Date.now();
    const until = quotaResumeAt(this.input.bulkId, since);
    this.parked = { since, until };
    this.progress.phase = 'paused-quota';
    this.progress.resumeAt = new Date(until).toISOString();
    setCurrentDetails(
      `Paused: Gemini's daily quota is exhausted; no row starts until ${this.progress.resumeAt} ` +
        `(midnight America/Los_Angeles plus a stagger), or now with \`fillflow bulk resume ${this.input.bulkId}\`.`,
    );
    if (this.tracked) upsertSearchAttributes([{ key: FILL_STATUS, value: 'paused-quota' }, { key: FILL_RESUME_AT, value: new Date(until) }]);
  }

  private unpark(): void {
    if (!this.parked) return;
    this.totals.pausedMs += Date.now() - this.parked.since;
    this.parked = undefined;
    this.progress.phase = 'running';
    delete this.progress.resumeAt;
    setCurrentDetails('');
    if (this.tracked) upsertSearchAttributes([{ key: FILL_STATUS, value: 'running' }, { key: FILL_RESUME_AT, value: null }]);
  }

  /** `bulk resume`: the day reopens in the ledger, every row in flight gets `resume` (a parked one goes on at once). */
  private async resume(): Promise<void> {
    this.resumeRequested = false;
    await this.store.reopenBulkQuota(this.input.options.fairnessKey !== undefined ? { fairnessKey: this.input.options.fairnessKey } : {});
    await Promise.all([...this.inFlight.values()].map((f) => getExternalWorkflowHandle(f.ref.fillId).signal(resumeSignal).catch(() => undefined)));
    this.unpark();
  }

  /** Wakes the loop every `quotaCheckMs` to read the day again (one timer, whatever else happens). */
  private startTicker(): void {
    const scope = new CancellationScope();
    void scope
      .run(async () => {
        for (;;) {
          await sleep(this.input.quotaCheckMs ?? QUOTA_CHECK_MS);
          this.tick = true;
          this.wake = true;
        }
      })
      .catch(() => undefined);
  }

  /** Until a row ends, `resume` arrives, or a park runs out. */
  private async waitForChange(): Promise<void> {
    const parked = this.parked;
    if (parked) {
      const reset = await condition(() => this.wake, Math.max(1, parked.until - Date.now()));
      if (!reset) this.unpark();
    } else {
      await condition(() => this.wake);
    }
    this.wake = false;
  }

  /** The progress query's view, refreshed before each wait. */
  private publish(): void {
    const running = [...this.inFlight.values()];
    Object.assign(this.progress, this.totals, {
      running: running.length,
      runningFills: running.map((f) => f.ref.fillId),
      pending: this.input.rows - this.nextRow,
    });
  }
}

/** The message that says what went wrong: the innermost cause of a child's failure. */
function innermostMessage(err: unknown): string {
  let message = err instanceof Error ? err.message : String(err);
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    e = (e as { cause?: unknown }).cause;
    if (e instanceof Error && e.message) message = e.message;
  }
  return message;
}
