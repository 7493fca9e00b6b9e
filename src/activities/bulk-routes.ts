/** @module The bulk's cheaper routes, as activities on the `fillflow-gemini` queue (the API key lives there). Both
 * answer a row's requests before its fill runs and put whole answers in the answer cache, where the fill finds
 * them; anything they could not answer (shed, timed out, failed, cut at MAX_TOKENS, expired) the fill sends
 * through the standard route itself.
 * - flex: each request once at the flex service tier, through the metered path (the ledger's permit, usage).
 * - batch: a group's requests in one Batch Mode job, recorded in the store the moment it exists; polled by the
 *   workflow with durable timers; its answers cached and counted for each row's fill. */
import { ApplicationFailure, heartbeat } from '@temporalio/activity';
import type { BulkRowRef } from '../bulk/bulk-records.js';
import { FailureType } from '../core/failure-types.js';
import type { FillOptions } from '../core/fill-records.js';
import { parseAnswer } from '../core/resolve-answer.js';
import { createGeminiBatchClient, type BatchState } from '../gemini/batch-client.js';
import { activityMetrics } from '../metrics/activity-metrics.js';
import type { GeminiActivityDeps } from './deps.js';
import { beginMeteredAttempt } from './metered-call.js';
import { rowRequests, type RowRequest } from './bulk-row-requests.js';

/** A flex answer may take minutes; past this the request is left to the standard route. */
export const FLEX_TIMEOUT_MS = 10 * 60_000;

export interface PrimeResult {
  requests: number;
  /** Answered now and cached (or found cached already). */
  answered: number;
  /** Left to the fill's standard route: shed, timed out, failed or cut. */
  left: number;
}

export interface SubmitBatchInput {
  bulkId: string;
  /** The group's first row and its size: the activity reads the rows from the store. */
  group: number;
  rows: number;
  options: FillOptions;
  /** Tests only: upload the requests as a file above this many bytes. @default 20 MB */
  inlineLimitBytes?: number;
}

export interface SubmitBatchResult {
  /** Absent when every request was answered already (nothing to submit). */
  job?: string;
  state?: BatchState;
  requests: number;
  attempt: number;
}

export interface CollectBatchResult {
  answered: number;
  failed: number;
  truncated: number;
}

/** Attempts per group: an expired job is resubmitted for what it left unanswered, at most this many times in all. */
export const MAX_BATCH_ATTEMPTS = 3;

export function createBulkRouteActivities(deps: GeminiActivityDeps) {
  const { store, config } = deps;
  const configured = () => {
    if (!deps.gemini || !config.gemini.apiKey) throw ApplicationFailure.create({ type: FailureType.NotConfigured, nonRetryable: true, message: 'Gemini is not configured on this worker' });
    return { ...deps, gemini: deps.gemini };
  };
  const batchClient = () => {
    const { apiKey, baseUrl, model, timeoutMs } = config.gemini;
    return createGeminiBatchClient({ apiKey: apiKey!, model, timeoutMs, ...(baseUrl ? { baseUrl } : {}) });
  };
  /** Requests not answered yet: the cache is the checkpoint, so a retry or a resubmission asks only these. */
  const unanswered = async (requests: RowRequest[]) => {
    const out: RowRequest[] = [];
    for (const r of requests) if (!(await store.cacheGet(r.key))) out.push(r);
    return out;
  };

  return {
    /** The flex route for one row, before its fill starts. */
    async primeRowFlex(input: { row: BulkRowRef; options: FillOptions }): Promise<PrimeResult> {
      const d = configured();
      const requests = await rowRequests(d, input.row, input.options);
      const todo = await unanswered(requests);
      let answered = requests.length - todo.length;
      await Promise.all(
        todo.map(async (r) => {
          const meter = await beginMeteredAttempt(d, { fillId: r.fillId, batchId: r.batchId }, (g) => g.model);
          try {
            const answer = await meter.call({
              estimatedTokens: r.estimatedTokens,
              fields: r.fieldKeys.length,
              detail: 'flex',
              send: (signal) =>
                meter.gemini.generateJson({
                  systemInstruction: r.systemInstruction,
                  userText: r.userText,
                  responseJsonSchema: r.responseJsonSchema,
                  maxOutputTokens: r.maxOutputTokens,
                  serviceTier: 'flex',
                  timeoutMs: FLEX_TIMEOUT_MS,
                  signal,
                }),
              tokensOf: (a) => a.usage,
            });
            if (answer.finish === 'stop' && parseAnswer(answer.text, r.fieldKeys).ok) {
              await store.cachePut(r.key, { text: answer.text ?? '', promptTokens: answer.usage.promptTokens, outputTokens: answer.usage.outputTokens, finishReason: answer.reason ?? 'STOP' });
              answered++;
            }
          } catch {
            // Shed (503), timed out, refused: the fill sends it at the standard tier (its failure is counted already).
          }
        }),
      );
      return { requests: requests.length, answered, left: requests.length - answered };
    },

    /**
     * The batch route for a group of rows: the job already recorded for the group (a retry, a replay, a new run
     * after continue-as-new) if it is still live, else a new one for the requests not answered yet.
     */
    async submitBulkBatch(input: SubmitBatchInput): Promise<SubmitBatchResult> {
      const jobs = await store.bulkBatchJobs(input.bulkId, input.group);
      const last = jobs.at(-1);
      if (last && (last.state === 'submitted' || last.state === 'succeeded')) {
        return { job: last.name, state: last.state === 'succeeded' ? 'succeeded' : 'pending', requests: last.items.length, attempt: last.attempt };
      }
      // Collected (its failed and cut items are the fill's to repair), failed or cancelled: the batch route is done
      // with this group. Only an expired job is followed by another, for what it left unanswered.
      if (last && last.state !== 'expired') return { requests: 0, attempt: last.attempt };
      const attempt = jobs.length + 1;
      if (attempt > MAX_BATCH_ATTEMPTS) return { requests: 0, attempt: jobs.length };
      const d = configured();
      const rows = (await store.listBulkRows(input.bulkId, input.group, input.rows)).map((r) => ({ index: r.index, row: r.row, fillId: r.fillId, templateId: r.templateId, documentIds: r.documentIds }));
      const requests: RowRequest[] = [];
      for (const row of rows) {
        requests.push(...(await rowRequests(d, row, input.options)));
        heartbeat();
      }
      // Equal rows share requests; one item each.
      const todo = [...new Map((await unanswered(requests)).map((r) => [r.key, r])).values()];
      if (todo.length === 0) return { requests: 0, attempt: jobs.length };
      const client = batchClient();
      const job = await client.create(
        todo.map((r) => ({ key: r.key, systemInstruction: r.systemInstruction, userText: r.userText, responseJsonSchema: r.responseJsonSchema, maxOutputTokens: r.maxOutputTokens })),
        { displayName: `${input.bulkId} rows ${input.group}-${input.group + input.rows - 1} #${attempt}`, ...(input.inlineLimitBytes !== undefined ? { inlineLimitBytes: input.inlineLimitBytes } : {}) },
      );
      // Recorded before anything else can fail: creating a job is not idempotent, and this is how it is found again.
      await store.recordBulkBatchJob({
        bulkId: input.bulkId,
        group: input.group,
        attempt,
        name: job.name,
        items: todo.map((r) => ({ key: r.key, fillId: r.fillId, batchId: r.batchId, fieldKeys: r.fieldKeys })),
      });
      return { job: job.name, state: job.state, requests: todo.length, attempt };
    },

    /** The job's state; a terminal one is recorded. */
    async pollBulkBatch(input: { job: string }): Promise<{ state: BatchState }> {
      const { state } = await batchClient().get(input.job);
      if (state === 'succeeded' || state === 'failed' || state === 'cancelled' || state === 'expired') await store.setBulkBatchJobState(input.job, state);
      return { state };
    },

    /**
     * Caches a succeeded job's whole answers and counts every item as a request of its row's fill; a failed or cut
     * item is left for the fill's standard route. Idempotent: a collected job is not read again.
     */
    async collectBulkBatch(input: { bulkId: string; group: number; job: string }): Promise<CollectBatchResult> {
      const record = (await store.bulkBatchJobs(input.bulkId, input.group)).find((j) => j.name === input.job);
      if (!record) throw ApplicationFailure.create({ type: FailureType.InvalidInput, nonRetryable: true, message: `no batch job ${input.job} recorded for bulk ${input.bulkId}` });
      if (record.state === 'collected') return { answered: 0, failed: 0, truncated: 0 };
      const client = batchClient();
      const answers = await client.answers(input.job);
      const items = new Map(record.items.map((i) => [i.key, i]));
      const metrics = activityMetrics();
      const out: CollectBatchResult = { answered: 0, failed: 0, truncated: 0 };
      for (const a of answers) {
        const item = items.get(a.key);
        if (!item) continue;
        await store.recordUsage({
          fillId: item.fillId,
          batchId: item.batchId,
          kind: 'api_call',
          detail: 'batch',
          endpoint: client.endpoint,
          model: client.model,
          promptTokens: a.usage.promptTokens,
          outputTokens: a.usage.outputTokens,
          fields: a.error ? 0 : item.fieldKeys.length,
        });
        metrics.geminiCall({ route: 'batch', request: 'generate' }, a.error ? 'error' : 'ok', a.usage);
        if (a.error) out.failed++;
        else if (a.finish === 'stop' && parseAnswer(a.text, item.fieldKeys).ok) {
          await store.cachePut(a.key, { text: a.text ?? '', promptTokens: a.usage.promptTokens, outputTokens: a.usage.outputTokens, finishReason: a.reason ?? 'STOP' });
          out.answered++;
        } else out.truncated++;
      }
      await store.setBulkBatchJobState(input.job, 'collected');
      return out;
    },

    /** The deadline is near (route auto) or the bulk was cancelled: whatever the job has not done goes standard. */
    async cancelBulkBatch(input: { job: string }): Promise<void> {
      await batchClient().cancel(input.job);
      await store.setBulkBatchJobState(input.job, 'cancelled');
    },
  };
}

export type BulkRouteActivities = ReturnType<typeof createBulkRouteActivities>;
