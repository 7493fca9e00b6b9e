/** @module fillTemplate: one fill, durably. Gather context in parallel, plan batches, extract them in
 * parallel on the rate-limited Gemini queue, fall back offline for what is left, finalise. */
import { ApplicationFailure, proxyActivities, setHandler } from '@temporalio/workflow';
import type { FillActivities, GeminiActivities } from '../activities/index.js';
import { FailureType, NON_RETRYABLE_FAILURES } from '../core/failure-types.js';
import type { FillInput, FillProgress, OfflineFieldInput } from '../core/fill-records.js';
import { BASE_PROMPT_TOKENS, planBatches, splitBatch, type PlanField, type PlannedBatch } from '../core/plan-batches.js';
import { GEMINI_TASK_QUEUE } from '../core/task-queues.js';
import type { FieldResult, FillResult } from '../core/types.js';
import { progressQuery } from './messages.js';

const light = proxyActivities<FillActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1s', maximumAttempts: 5, nonRetryableErrorTypes: [FailureType.InvalidInput] },
});

const gemini = proxyActivities<GeminiActivities>({
  taskQueue: GEMINI_TASK_QUEUE,
  // One request, with its own timeout inside; this only catches a worker that went silent.
  startToCloseTimeout: '3 minutes',
  // The activity heartbeats during the call: a worker that died is noticed in seconds, not minutes.
  heartbeatTimeout: '20 seconds',
  retry: {
    initialInterval: '2s',
    backoffCoefficient: 2,
    maximumInterval: '2 minutes',
    maximumAttempts: 8,
    nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURES],
  },
});

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
  const gathered = await Promise.all(
    prep.groups.map((fieldKeys) => light.gatherContext({ templateId: input.templateId, documentIds: input.documentIds, fieldKeys })),
  );
  const planFields = new Map<string, PlanField>(gathered.flat().map((f) => [f.key, f]));
  const planOptions = { ...input.options, baseTokens: BASE_PROMPT_TOKENS };
  const plan = planBatches(
    prep.fieldKeys.map((k) => planFields.get(k)!),
    prep.corpus,
    planOptions,
  );
  progress.batchesTotal = plan.batches.length;

  const results = new Map<string, FieldResult>();
  /** Fields Gemini could not answer, with why: the offline extractor gets them next. */
  const unanswered = new Map<string, string>();
  for (const key of plan.withoutContext) unanswered.set(key, 'no passage matched this field');

  progress.phase = 'extracting';
  let geminiAvailable = true;
  const runBatch = async (batch: PlannedBatch): Promise<void> => {
    if (!geminiAvailable) {
      for (const key of batch.fieldKeys) unanswered.set(key, 'Gemini is not configured');
      progress.batchesDone++;
      return;
    }
    try {
      const out = await gemini.extractBatch({
        fillId: input.fillId,
        templateId: input.templateId,
        batchId: batch.id,
        fieldKeys: batch.fieldKeys,
        chunkIds: batch.chunkIds,
        maxOutputTokens: input.options.maxOutputTokens,
      });
      for (const field of out.fields) results.set(field.key, field);
      progress.fieldsDone += out.fields.length;
      progress.batchesDone++;
    } catch (err) {
      const type = failureType(err);
      if (type === FailureType.SplitBatch) {
        const halves = splitBatch(batch, planFields, planOptions, plan.wholeDocuments);
        if (halves.length > 0) {
          progress.splits++;
          progress.batchesTotal += halves.length - 1;
          await Promise.all(halves.map(runBatch));
          return;
        }
      }
      if (type === FailureType.Config) {
        // A wrong key or model fails every batch the same way: stop and say what to change.
        throw ApplicationFailure.create({ type: FailureType.Config, nonRetryable: true, message: failureMessage(err) });
      }
      if (type === FailureType.NotConfigured) {
        geminiAvailable = false;
        notice('Gemini is not configured (no GEMINI_API_KEY on the Gemini worker): the offline extractor filled what it could.');
      } else if (type === FailureType.QuotaExhausted) {
        notice(`Gemini's daily quota is exhausted: ${failureMessage(err)}; the offline extractor filled what it could.`);
      }
      const because = type === FailureType.NotConfigured ? 'Gemini is not configured' : `Gemini failed: ${failureMessage(err)}`;
      for (const key of batch.fieldKeys) unanswered.set(key, because);
      progress.batchesDone++;
    }
  };
  await Promise.all(plan.batches.map(runBatch));

  // What Gemini left empty or got wrong goes to the offline extractor; Gemini's own verdict stays if it finds nothing.
  for (const [key, r] of results) {
    if (r.status === 'not_found' || r.status === 'invalid') unanswered.set(key, `Gemini: ${r.reason ?? r.status}`);
  }
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
  });
  progress.phase = 'completed';
  return result;
}

/** The ApplicationFailure type behind an activity failure; the workflow never trusts `instanceof`. */
function failureType(err: unknown): string | undefined {
  const cause = (err as { cause?: { type?: unknown } } | undefined)?.cause;
  return typeof cause?.type === 'string' ? cause.type : undefined;
}

function failureMessage(err: unknown): string {
  const cause = (err as { cause?: { message?: unknown } } | undefined)?.cause;
  return typeof cause?.message === 'string' ? cause.message : String((err as Error)?.message ?? err);
}
