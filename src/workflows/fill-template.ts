/** @module fillTemplate: one fill, durably. Gather context in parallel, plan batches, extract them in
 * parallel on the rate-limited Gemini queue, fall back offline for what is left, finalise. */
import { patched, proxyActivities, setHandler, upsertSearchAttributes, type ActivityOptions } from '@temporalio/workflow';
import type { FillActivities, GeminiActivities } from '../activities/index.js';
import { FailureType, NON_RETRYABLE_FAILURES } from '../core/failure-types.js';
import type { EmbeddingSpaceRef, FillInput, FillProgress, OfflineFieldInput } from '../core/fill-records.js';
import { BASE_PROMPT_TOKENS, planBatches, type PlanField } from '../core/plan-batches.js';
import { GEMINI_TASK_QUEUE } from '../core/task-queues.js';
import type { FillResult } from '../core/types.js';
import { Extraction, failureMessage, failureType } from './extraction.js';
import { progressQuery, resumeSignal } from './messages.js';
import { geminiPriority } from './priority.js';
import { QuotaPark } from './quota-park.js';
import { FILL_STATUS } from './search-attributes.js';

const light = proxyActivities<FillActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1s', maximumAttempts: 5, nonRetryableErrorTypes: [FailureType.InvalidInput] },
});

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
export async function fillTemplate(input: FillInput): Promise<FillResult> {
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
  const publishSearchAttributes = input.options.searchAttributes !== false;
  const park = new QuotaPark(input.fillId, progress, publishSearchAttributes);
  setHandler(resumeSignal, () => park.resume());
  // Interactive fills ahead of bulk ones on the Gemini queue, and one fairness key per tenant (API key identity).
  const gemini = proxyActivities<GeminiActivities>({ ...GEMINI_OPTIONS, priority: geminiPriority(input.options) });
  const notice = (text: string) => {
    if (!progress.notices.includes(text)) progress.notices.push(text);
  };

  const prep = await light.prepareFill({
    fillId: input.fillId,
    templateId: input.templateId,
    documentIds: input.documentIds,
    maxInputTokens: input.options.maxInputTokens,
  });
  progress.fieldsTotal = prep.fieldKeys.length;

  progress.phase = 'gathering';
  const gather = (embedding?: EmbeddingSpaceRef) =>
    Promise.all(
      prep.groups.map((fieldKeys) =>
        light.gatherContext({ templateId: input.templateId, documentIds: input.documentIds, fieldKeys, ...(embedding ? { embedding } : {}) }),
      ),
    );
  const planOptions = { ...input.options, baseTokens: BASE_PROMPT_TOKENS, openings: prep.openings ?? [] };
  const planWith = (gathered: PlanField[][]) => {
    const byKey = new Map<string, PlanField>(gathered.flat().map((f) => [f.key, f]));
    return { byKey, plan: planBatches(prep.fieldKeys.map((k) => byKey.get(k)!), prep.corpus, planOptions) };
  };
  let { byKey: planFields, plan } = planWith(await gather());
  // Vectors only when retrieval must choose passages: a corpus that rides along whole needs no search.
  if (!plan.wholeDocuments && prep.corpusTokens > 0) {
    let embedding: EmbeddingSpaceRef | undefined;
    try {
      const space = await gemini.embedContext({
        fillId: input.fillId,
        templateId: input.templateId,
        documentIds: input.documentIds,
        fieldKeys: prep.fieldKeys,
      });
      embedding = { model: space.model, dimensions: space.dimensions };
    } catch (err) {
      // Vectors improve retrieval; their absence must not fail the fill. BM25 alone still works.
      if (failureType(err) !== FailureType.NotConfigured) {
        notice(`Vector search was unavailable (${failureMessage(err)}); passages were chosen by keyword search (BM25) alone.`);
      }
    }
    if (embedding) ({ byKey: planFields, plan } = planWith(await gather(embedding)));
  }
  progress.batchesTotal = plan.batches.length;

  progress.phase = 'extracting';
  const extraction = new Extraction({ input, progress, park, plan, planFields, planOptions, gemini, light, notice });
  await extraction.runPlanned();
  if (!plan.wholeDocuments && patched('widen-not-found')) await extraction.widenNotFound();
  await extraction.reaskInvalid();
  extraction.settle();
  const { results, unanswered } = extraction;

  // What Gemini left empty or got wrong goes to the offline extractor; Gemini's own verdict stays if it finds nothing.
  if (unanswered.size > 0) {
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
  }

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
  if (publishSearchAttributes && progress.pausedMs) upsertSearchAttributes([{ key: FILL_STATUS, value: 'completed' }]);

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
