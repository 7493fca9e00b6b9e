/** @module bulkFill: many rows (a template and documents each), one `fillTemplate` child per row, durably.
 * Read the rows a page at a time from the store; keep a sliding window of children running; record each row's
 * outcome in the store as its child ends; park while the key's daily quota is closed; continue as new when the
 * server suggests it, carrying only an offset and running totals. The window's state machine is BulkWindow
 * (bulk-window.ts). */
import {
  ApplicationFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  isCancellation,
  makeContinueAsNewFunc,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { BULK_ROUTES, DEFAULT_WORKFLOW_WINDOW, MAX_WINDOW, emptyTotals, type BulkInput, type BulkResult, type BulkRoute } from '../bulk/bulk-records.js';
import { FailureType } from '../core/failure-types.js';
import { FillOptionsError, withFillDefaults } from '../core/fill-options.js';
import { bulkProgressQuery, bulkResumeSignal } from './bulk-messages.js';
import { BulkWindow } from './bulk-window.js';
import { FILL_BULK_ID, FILL_STATUS } from './search-attributes.js';

/**
 * The workflow. Its input may come from any client (`temporal workflow start --type bulkFill`) once the rows
 * are in the store; missing settings take their defaults and a malformed input fails at once.
 */
export async function bulkFill(raw: BulkInput): Promise<BulkResult> {
  const input = checkedInput(raw);
  const tracked = input.options.searchAttributes !== false;
  const window = new BulkWindow(input);
  setHandler(bulkProgressQuery, () => window.progress);
  setHandler(bulkResumeSignal, () => window.requestResume());
  if (tracked) upsertSearchAttributes([{ key: FILL_STATUS, value: 'running' }, { key: FILL_BULK_ID, value: input.bulkId }]);

  try {
    await window.run();
  } catch (err) {
    if (!isCancellation(err)) {
      if (tracked) upsertSearchAttributes([{ key: FILL_STATUS, value: 'failed' }]);
      throw err;
    }
    // Cancelled: the children were asked to cancel with this run's scope; wait for each to end (a row that
    // completes meanwhile counts as completed) and record how every row ended before closing as cancelled.
    await CancellationScope.nonCancellable(() => window.settleAfterCancel());
    if (tracked) upsertSearchAttributes([{ key: FILL_STATUS, value: 'cancelled' }]);
    throw err;
  }

  if (window.nextRow < input.rows) {
    // Every started row has ended (the window drained), so the next run starts at `nextRow` and nothing is lost
    // or started twice; signal and query handlers finish first.
    await condition(allHandlersFinished);
    return nextRun({ ...input, offset: window.nextRow, totals: window.totals, runsBefore: window.runNumber });
  }
  if (tracked) upsertSearchAttributes([{ key: FILL_STATUS, value: 'completed' }]);
  window.progress.phase = 'completed';
  return { bulkId: input.bulkId, status: 'completed', rows: input.rows, runs: window.runNumber, ...window.totals };
}

/**
 * The next run starts on the deployment's current version, not pinned to this one: a bulk runs for days, and its
 * runs carry only an offset and totals, so it moves to a new release at its next run boundary instead of holding
 * the old workers until its last row (its rows already started stay pinned where they started).
 */
const nextRun = makeContinueAsNewFunc<typeof bulkFill>({ initialVersioningBehavior: 'AUTO_UPGRADE' });

type CheckedInput = BulkInput & Required<Pick<BulkInput, 'window' | 'route' | 'offset' | 'runsBefore'>>;

function checkedInput(raw: BulkInput): CheckedInput {
  const problems: string[] = [];
  if (typeof raw !== 'object' || raw === null) throw invalid(['the input must be an object { bulkId, rows, options }']);
  if (typeof raw.bulkId !== 'string' || raw.bulkId.trim() === '') problems.push('bulkId must be a non-empty string');
  if (!Number.isInteger(raw.rows) || raw.rows < 0) problems.push(`rows must be a whole number, got ${JSON.stringify(raw.rows)}`);
  const window = raw.window ?? DEFAULT_WORKFLOW_WINDOW;
  if (!Number.isInteger(window) || window < 1 || window > MAX_WINDOW) problems.push(`window must be a whole number from 1 to ${MAX_WINDOW}, got ${JSON.stringify(raw.window)}`);
  const route: BulkRoute = raw.route ?? 'standard';
  if (!BULK_ROUTES.includes(route)) problems.push(`route must be one of ${BULK_ROUTES.join(', ')}, got ${JSON.stringify(raw.route)}`);
  if (raw.deadline !== undefined && Number.isNaN(Date.parse(raw.deadline))) problems.push(`deadline must be an ISO 8601 time, got ${JSON.stringify(raw.deadline)}`);
  const offset = raw.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) problems.push(`offset must be a whole number, got ${JSON.stringify(raw.offset)}`);
  let options = raw.options;
  try {
    options = withFillDefaults(raw.options);
  } catch (err) {
    if (!(err instanceof FillOptionsError)) throw err;
    problems.push(...err.problems);
  }
  if (problems.length > 0) throw invalid(problems);
  return { ...raw, options, window, route, offset, totals: raw.totals ?? emptyTotals(), runsBefore: raw.runsBefore ?? 0 };
}

function invalid(problems: string[]): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.InvalidInput, nonRetryable: true, message: `invalid bulk input: ${problems.join('; ')}` });
}
