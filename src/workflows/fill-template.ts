/** @module fillTemplate: one fill, durably. Gather context in parallel, plan batches, extract them in
 * parallel on the rate-limited Gemini queue, fall back offline for what is left, finalise. */
import { ApplicationFailure, condition, patched, proxyActivities, setHandler, upsertSearchAttributes, type ActivityOptions } from '@temporalio/workflow';
import type { FillActivities, GeminiActivities } from '../activities/index.js';
import { FailureType, NON_RETRYABLE_FAILURES } from '../core/failure-types.js';
import type { EmbeddingSpaceRef, FillInput, FillProgress, OfflineFieldInput } from '../core/fill-records.js';
import { BASE_PROMPT_TOKENS, narrowBatch, planBatches, planWidening, splitBatch, type PlanField, type PlannedBatch } from '../core/plan-batches.js';
import { GEMINI_TASK_QUEUE } from '../core/task-queues.js';
import type { FieldResult, FillResult } from '../core/types.js';
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
  const extraction = proxyActivities<GeminiActivities>({ ...GEMINI_OPTIONS, priority: geminiPriority(input.options) });
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
      const space = await extraction.embedContext({
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

  const results = new Map<string, FieldResult>();
  /** Fields Gemini could not answer, with why: the offline extractor gets them next. */
  const unanswered = new Map<string, string>();
  for (const key of plan.withoutContext) unanswered.set(key, 'no passage matched this field');

  progress.phase = 'extracting';
  let geminiAvailable = true;
  /** Offline answers given while parked (onQuotaExhausted `fallback`): they stand until Gemini upgrades them. */
  const provisional = new Map<string, FieldResult>();
  const fillProvisionally = async (keys: string[]) => {
    const todo = keys.filter((k) => !provisional.has(k) && !results.has(k));
    if (todo.length === 0) return;
    const because = "Gemini's daily quota is exhausted: filled offline until the quota resets";
    const fields = todo.map((key) => ({ key, because, chunkIds: (planFields.get(key)?.context ?? []).map((c) => c.chunkId) }));
    const offline = await light.extractOffline({ templateId: input.templateId, documentIds: input.documentIds, fields });
    for (const r of offline) if (r.status === 'fallback') provisional.set(r.key, r);
    progress.provisionalFields = provisional.size;
  };
  // Batches in flight at once, per fill (the queue's rate limit and the ledger pace calls across fills).
  const maxInFlight = input.options.maxConcurrentBatches ?? Number.POSITIVE_INFINITY;
  let inFlight = 0;
  /** The batch each Gemini answer came from: a re-ask sends the same field only that batch's passages. */
  const answeredIn = new Map<string, PlannedBatch>();
  const runBatch = async (batch: PlannedBatch, corrections?: Record<string, string>): Promise<void> => {
    if (!geminiAvailable) {
      for (const key of batch.fieldKeys) unanswered.set(key, 'Gemini is not configured');
      progress.batchesDone++;
      return;
    }
    try {
      await condition(() => inFlight < maxInFlight);
      inFlight++;
      const out = await extraction.extractBatch({
        fillId: input.fillId,
        templateId: input.templateId,
        batchId: batch.id,
        fieldKeys: batch.fieldKeys,
        chunkIds: batch.chunkIds,
        maxOutputTokens: input.options.maxOutputTokens,
        ...(park.reopen ? { reopenQuota: true } : {}),
        ...(corrections ? { corrections } : {}),
      }).finally(() => inFlight--);
      // A re-asked field was counted the first time.
      progress.fieldsDone += out.fields.filter((f) => !results.has(f.key)).length;
      for (const field of out.fields) {
        results.set(field.key, field);
        answeredIn.set(field.key, batch);
      }
      progress.batchesDone++;
      if (out.missingKeys && out.missingKeys.length > 0) {
        // Cut at MAX_TOKENS after some fields were complete: keep those, bisect only the fields still missing.
        const rest = narrowBatch(batch, out.missingKeys, `${batch.id}.m`, planFields, planOptions, plan.wholeDocuments);
        const parts = rest.fieldKeys.length > 1 ? splitBatch(rest, planFields, planOptions, plan.wholeDocuments) : [rest];
        progress.splits++;
        progress.batchesTotal += parts.length;
        await Promise.all(parts.map((b) => runBatch(b, corrections)));
      }
    } catch (err) {
      const type = failureType(err);
      if (type === FailureType.SplitBatch) {
        const halves = splitBatch(batch, planFields, planOptions, plan.wholeDocuments);
        if (halves.length > 0) {
          progress.splits++;
          progress.batchesTotal += halves.length - 1;
          await Promise.all(halves.map((h) => runBatch(h, corrections)));
          return;
        }
      }
      if (type === FailureType.QuotaExhausted) {
        // The day's quota is spent: park durably until the reset (or `resume`), then ask again. Finished
        // batches keep their results; only this batch, and others that meet the closed day, wait.
        notice(`Gemini's daily quota ran out; the fill parked until the reset at midnight America/Los_Angeles (or a resume signal), then went on.`);
        if (input.options.onQuotaExhausted === 'fallback') await fillProvisionally(batch.fieldKeys);
        await park.wait();
        return runBatch(batch, corrections);
      }
      if (type === FailureType.Config) {
        // A wrong key or model fails every batch the same way: stop and say what to change.
        throw ApplicationFailure.create({ type: FailureType.Config, nonRetryable: true, message: failureMessage(err) });
      }
      if (type === FailureType.NotConfigured) {
        geminiAvailable = false;
        notice('Gemini is not configured (no GEMINI_API_KEY on the Gemini worker): the offline extractor filled what it could.');
      }
      const because = type === FailureType.NotConfigured ? 'Gemini is not configured' : `Gemini failed: ${failureMessage(err)}`;
      for (const key of batch.fieldKeys) unanswered.set(key, because);
      progress.batchesDone++;
    }
  };
  await Promise.all(plan.batches.map((b) => runBatch(b)));

  // Fields the first round found nothing for get one wider round: the passages they retrieved but were not
  // sent. Whole documents leave nothing unsent. On CUAD this found 2 points more evidence (see README).
  if (!plan.wholeDocuments && patched('widen-not-found')) {
    const unfound = [...results.values()].filter((r) => r.status === 'not_found' && r.method !== 'offline').map((r) => planFields.get(r.key));
    const sent = new Map([...answeredIn].map(([key, batch]) => [key, batch.chunkIds]));
    const wider = planWidening(unfound.filter((f): f is PlanField => f !== undefined), sent, planOptions);
    progress.batchesTotal += wider.length;
    await Promise.all(wider.map((b) => runBatch(b)));
  }

  // A value that failed its type gets one narrower round: only those fields, their batch's passages for
  // them, and the validation error in the prompt. The rest of each batch stands as answered.
  const toReask = new Map<string, { batch: PlannedBatch; corrections: Record<string, string> }>();
  for (const [key, r] of results) {
    const batch = answeredIn.get(key);
    if (r.status !== 'invalid' || r.method === 'offline' || !batch) continue;
    const entry = toReask.get(batch.id) ?? { batch, corrections: {} };
    entry.corrections[key] = `rejected: ${r.reason ?? 'invalid value'}`;
    toReask.set(batch.id, entry);
  }
  if (toReask.size > 0) {
    const rounds = [...toReask.values()].map(({ batch, corrections }) => ({
      batch: narrowBatch(batch, Object.keys(corrections), `${batch.id}.r`, planFields, planOptions, plan.wholeDocuments),
      corrections,
    }));
    progress.batchesTotal += rounds.length;
    await Promise.all(rounds.map(({ batch, corrections }) => runBatch(batch, corrections)));
  }
  // Provisional answers stand only where Gemini gave nothing better.
  for (const [key, r] of provisional) {
    const g = results.get(key);
    if (!g || g.status === 'not_found' || g.status === 'invalid') {
      results.set(key, r);
      unanswered.delete(key);
    }
  }

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

/** The ApplicationFailure type behind an activity failure; the workflow never trusts `instanceof`. */
function failureType(err: unknown): string | undefined {
  const cause = (err as { cause?: { type?: unknown } } | undefined)?.cause;
  return typeof cause?.type === 'string' ? cause.type : undefined;
}

function failureMessage(err: unknown): string {
  const cause = (err as { cause?: { message?: unknown } } | undefined)?.cause;
  return typeof cause?.message === 'string' ? cause.message : String((err as Error)?.message ?? err);
}
