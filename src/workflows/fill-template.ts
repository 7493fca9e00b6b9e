/** @module fillTemplate: one fill, durably. Decide whether the documents ride along whole, else gather
 * context in parallel (with vectors when Gemini can embed), plan batches, extract them in parallel on the
 * rate-limited Gemini queue, fall back offline for what is left, finalise and render. Its status follows
 * every transition in the FillflowStatus search attribute; its progress, the current details the Temporal UI
 * shows; and its activities carry summaries (which batch, which fields). */
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  metricMeter,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  TemporalFailure,
  upsertSearchAttributes,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { FillActivities, GeminiActivities } from '../activities/index.js';
import type { EmbeddingSpace } from '../core/chunk-ref.js';
import { FailureType, NON_RETRYABLE_FAILURES } from '../core/failure-types.js';
import { checkFillInput, FillOptionsError } from '../core/fill-options.js';
import type { FillInput, FillProgress, OfflineFieldInput, PrepareFillResult } from '../core/fill-records.js';
import { CURRENT_PLANNER, type PlanField, type PlannerVersion, type PlanOptions } from '../core/plan-batches.js';
import { planFill, planner1Options, planOptionsFor, planWithContext, requestOutputTokens, type PlannedFill } from '../core/plan-fill.js';
import { GEMINI_TASK_QUEUE } from '../core/task-queues.js';
import type { FieldResult, FillResult } from '../core/types.js';
import { fillflowMetrics } from '../metrics/fillflow-metrics.js';
import { Extraction, failureMessage, failureType } from './extraction.js';
import { progressQuery, resumeSignal } from './messages.js';
import { batchSummary, fieldsSummary, fillDetails, withSummaries } from './operator-view.js';
import { geminiPriority } from './priority.js';
import { QuotaPark } from './quota-park.js';
import { FILL_STATUS, FILL_TEMPLATE } from './search-attributes.js';

/** Patch: FillflowStatus follows every transition (running, completed, failed, cancelled) and FillflowTemplate is set. */
const STATUS_ATTRIBUTES_PATCH = 'status-search-attributes';
/** Patch: decide whole documents from the fields' costs first, then gather context once (with vectors if any). */
const PLAN_FIRST_PATCH = 'plan-first-gather-once';
/**
 * Patch: planner 2 (calls sized by the answer budget, the input budget and the scarce quota; see
 * plan-batches.ts). It changes how many extractBatch calls a fill makes and what they ask, so a fill recorded
 * before it replays with planner 1, whatever the planner code does today, and with the batch and token sizes
 * of that time where its input left them out. Taken first, so one fill runs one planner from its first
 * planning decision (whole documents or not) to its last re-ask. A later change to what planner 2 plans is a
 * planner 3 behind a patch of its own.
 */
const PLANNER_PATCH = 'planner-sized-by-what-binds';

/**
 * Patch: planner 3 (with tokens scarce, only a small corpus rides along whole). A fill recorded under planner 2
 * (its history has the patch above and not this one) replays with planner 2. Asked before the planner-2 patch, so a
 * new fill records this marker alone.
 */
const PLANNER_3_PATCH = 'planner-3-whole-corpus-by-scarcity';

/**
 * The light steps beat while they run (src/activities/liveness.ts): a worker that dies under one is noticed at the
 * heartbeat timeout, and the step retried elsewhere, rather than after the whole start-to-close timeout.
 */
const LIGHT_HEARTBEAT_TIMEOUT = '20 seconds';

const light = withSummaries(
  proxyActivities<FillActivities>({
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout: LIGHT_HEARTBEAT_TIMEOUT,
    retry: { initialInterval: '1s', maximumAttempts: 5, nonRetryableErrorTypes: [FailureType.InvalidInput] },
  }),
  {
    gatherContext: (a) => fieldsSummary('passages', a.fieldKeys),
    extractOffline: (a) => fieldsSummary('offline extractor', a.fields.map((f) => f.key)),
  },
);

const GEMINI_OPTIONS: ActivityOptions = {
  taskQueue: GEMINI_TASK_QUEUE,
  // One request with its own timeout, after the quota ledger grants it (a wait of up to a few minutes when
  // many batches queue for one window); this only catches a worker that went silent.
  startToCloseTimeout: '10 minutes',
  // The activity heartbeats during the call: a worker that died is noticed in seconds, not minutes.
  heartbeatTimeout: '20 seconds',
  retry: {
    initialInterval: '2s',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    maximumAttempts: 8,
    nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURES],
  },
};

/**
 * The workflow. Its input may come from any client in any language (`temporal workflow start --type
 * fillTemplate`): missing options take the same defaults as every Fillflow edge, and a malformed input fails
 * at once with a message naming each problem.
 */
export async function fillTemplate(raw: FillInput): Promise<FillResult> {
  // Read before the input is checked, so a fill refused for its input is marked failed too.
  const tracked = patched(STATUS_ATTRIBUTES_PATCH) && (raw as { options?: { searchAttributes?: unknown } } | undefined)?.options?.searchAttributes !== false;
  try {
    const input = checkedInput(raw);
    if (tracked) upsertSearchAttributes([{ key: FILL_STATUS, value: 'running' }, { key: FILL_TEMPLATE, value: input.templateId }]);
    const result = await runFill(input, tracked, (raw as { options?: unknown } | undefined)?.options);
    if (tracked) upsertSearchAttributes([{ key: FILL_STATUS, value: 'completed' }]);
    fillflowMetrics(metricMeter).fillEnded('completed');
    return result;
  } catch (err) {
    if (tracked) upsertSearchAttributes([{ key: FILL_STATUS, value: isCancellation(err) ? 'cancelled' : 'failed' }]);
    // Counted once: only a TemporalFailure ends the run; any other error fails the workflow task, which is retried.
    if (err instanceof TemporalFailure) fillflowMetrics(metricMeter).fillEnded(isCancellation(err) ? 'cancelled' : 'failed');
    throw err;
  }
}

function checkedInput(raw: FillInput): FillInput {
  try {
    return checkFillInput(raw);
  } catch (err) {
    if (err instanceof FillOptionsError) throw ApplicationFailure.create({ type: FailureType.InvalidInput, nonRetryable: true, message: err.message });
    throw err;
  }
}

/** @param givenOptions the input's options as they arrived, before defaults: a planner-1 fill's defaults differ. */
async function runFill(checked: FillInput, tracked: boolean, givenOptions: unknown): Promise<FillResult> {
  const planner: PlannerVersion = patched(PLANNER_3_PATCH) ? CURRENT_PLANNER : patched(PLANNER_PATCH) ? 2 : 1;
  // A fill recorded before planner 2 runs, where its input left them out, with the defaults of that time.
  const input = planner === 1 ? { ...checked, options: planner1Options(checked.options, givenOptions) } : checked;
  const startedAt = Date.now();
  const progress: FillProgress = {
    fillId: input.fillId,
    phase: 'preparing',
    fieldsTotal: 0,
    fieldsDone: 0,
    batchesTotal: 0,
    batchesDone: 0,
    splits: 0,
    notices: [],
  };
  setHandler(progressQuery, () => progress);
  showInCurrentDetails(progress);
  const publishSearchAttributes = input.options.searchAttributes !== false;
  const park = new QuotaPark(input.fillId, progress, publishSearchAttributes);
  setHandler(resumeSignal, () => park.resume());
  // Interactive fills ahead of bulk ones on the Gemini queue, and one fairness key per tenant (API key identity).
  const gemini = withSummaries(proxyActivities<GeminiActivities>({ ...GEMINI_OPTIONS, priority: geminiPriority(input.options) }), {
    extractBatch: batchSummary,
    embedContext: (a) => fieldsSummary(`vectors for ${a.documentIds.length} document(s)`, a.fieldKeys),
  });
  const notice = (text: string) => {
    if (!progress.notices.includes(text)) progress.notices.push(text);
  };

  const prep = await light.prepareFill({
    fillId: input.fillId,
    templateId: input.templateId,
    documentIds: input.documentIds,
    maxInputTokens: input.options.maxInputTokens,
    ...(input.options.fairnessKey !== undefined ? { fairnessKey: input.options.fairnessKey } : {}),
  });
  progress.fieldsTotal = prep.fieldKeys.length;

  progress.phase = 'gathering';
  const planOptions = planOptionsFor(input.options, prep, planner);
  const step = { input, prep, planOptions, gemini, notice };
  const { planFields, plan } = patched(PLAN_FIRST_PATCH) ? await planFirst(step) : await gatherThenPlan(step);
  progress.batchesTotal = plan.batches.length;

  progress.phase = 'extracting';
  // Planner 2 never asks for a longer answer than the model can give; planner 1 sent the option as it was.
  const maxOutputTokens = requestOutputTokens(input.options, prep, planner);
  const asked = maxOutputTokens === input.options.maxOutputTokens ? input : { ...input, options: { ...input.options, maxOutputTokens } };
  const extraction = new Extraction({ input: asked, progress, park, plan, planFields, planOptions, gemini, light, notice });
  await extraction.runPlanned();
  if (!plan.wholeDocuments && patched('widen-not-found')) await extraction.widenNotFound();
  await extraction.reaskInvalid();
  extraction.settle();
  const results = await fallBackOffline(input, extraction, planFields, progress);

  progress.phase = 'finalizing';
  progress.fieldsDone = results.size;
  const result = await light.finalizeFill({
    fillId: input.fillId,
    templateId: input.templateId,
    fields: prep.fieldKeys.map((k) => results.get(k)!),
    batches: progress.batchesTotal,
    durationMs: Date.now() - startedAt,
    notices: progress.notices,
    ...(progress.pausedMs ? { pausedMs: progress.pausedMs } : {}),
  });
  // Before the status patch a fill that had parked was marked completed here; replays of those keep it.
  if (!tracked && publishSearchAttributes && progress.pausedMs) upsertSearchAttributes([{ key: FILL_STATUS, value: 'completed' }]);

  // The filled document: a render failure costs the document, never the fill's values.
  progress.phase = 'rendering';
  let rendered: { outputRef?: string; notices: string[] };
  try {
    rendered = await light.renderOutput({ fillId: input.fillId, templateId: input.templateId });
  } catch (err) {
    rendered = { notices: [`The filled document could not be rendered: ${failureMessage(err)}`] };
  }
  progress.phase = 'completed';
  const notices = [...(result.notices ?? []), ...rendered.notices];
  return { ...result, ...(rendered.outputRef ? { outputRef: rendered.outputRef } : {}), ...(notices.length > 0 ? { notices } : {}) };
}

/**
 * The current details (what the Temporal UI shows under the fill) follow its progress: whenever the progress
 * would read differently, they are rewritten. Setting them makes no command, so replays are unaffected; the
 * watch outlives a cancellation request, so a fill winding down still says where it is.
 */
function showInCurrentDetails(progress: FillProgress): void {
  let shown = '';
  void CancellationScope.nonCancellable(async () => {
    for (;;) {
      await condition(() => fillDetails(progress) !== shown);
      shown = fillDetails(progress);
      setCurrentDetails(shown);
    }
  });
}

/** What Gemini left empty or got wrong goes to the offline extractor; Gemini's own verdict stays if it finds nothing. */
async function fallBackOffline(
  input: FillInput,
  extraction: Extraction,
  planFields: ReadonlyMap<string, PlanField>,
  progress: FillProgress,
): Promise<Map<string, FieldResult>> {
  const { results, unanswered } = extraction;
  if (unanswered.size === 0) return results;
  progress.phase = 'fallback';
  const fields: OfflineFieldInput[] = [...unanswered].map(([key, because]) => ({
    key,
    because,
    chunkIds: (planFields.get(key)?.context ?? []).map((c) => c.chunkId),
  }));
  const offline = await light.extractOffline({ templateId: input.templateId, documentIds: input.documentIds, fields });
  for (const r of offline) {
    const earlier = results.get(r.key);
    if (r.status === 'fallback' || !earlier) results.set(r.key, r);
  }
  return results;
}

interface PlanStep {
  input: FillInput;
  prep: PrepareFillResult;
  planOptions: PlanOptions;
  gemini: GeminiActivities;
  notice: (text: string) => void;
}

/**
 * Plan first (the shared planning step): a corpus that rides along whole in every call needs no search at
 * all; otherwise vectors are made (when Gemini can embed) and every field's context is gathered once, with them.
 */
function planFirst({ input, prep, planOptions, gemini, notice }: PlanStep): Promise<PlannedFill> {
  return planFill(prep, planOptions, {
    embed: () => embedOrNotice(input, prep, gemini, notice),
    gather: (embedding) => gather(input, prep, embedding),
  });
}

/** The order before plan-first (kept for fills recorded before it): BM25, plan, then vectors and a second gathering. */
async function gatherThenPlan({ input, prep, planOptions, gemini, notice }: PlanStep): Promise<PlannedFill> {
  let planned = planWithContext(prep, planOptions, await gather(input, prep));
  if (!planned.plan.wholeDocuments && prep.corpusTokens > 0) {
    const embedding = await embedOrNotice(input, prep, gemini, notice);
    if (embedding) planned = planWithContext(prep, planOptions, await gather(input, prep, embedding));
  }
  return planned;
}

function gather(input: FillInput, prep: PrepareFillResult, embedding?: EmbeddingSpace): Promise<PlanField[][]> {
  return Promise.all(
    prep.groups.map((fieldKeys) =>
      light.gatherContext({ templateId: input.templateId, documentIds: input.documentIds, fieldKeys, ...(embedding ? { embedding } : {}) }),
    ),
  );
}

/** The fill's vectors, or undefined: vectors improve retrieval, their absence must not fail the fill (BM25 alone still works). */
async function embedOrNotice(input: FillInput, prep: PrepareFillResult, gemini: GeminiActivities, notice: (text: string) => void): Promise<EmbeddingSpace | undefined> {
  try {
    const space = await gemini.embedContext({ fillId: input.fillId, templateId: input.templateId, documentIds: input.documentIds, fieldKeys: prep.fieldKeys });
    return { endpoint: space.endpoint, model: space.model, dimensions: space.dimensions };
  } catch (err) {
    if (failureType(err) !== FailureType.NotConfigured) {
      notice(`Vector search was unavailable (${failureMessage(err)}); passages were chosen by keyword search (BM25) alone.`);
    }
    return undefined;
  }
}
