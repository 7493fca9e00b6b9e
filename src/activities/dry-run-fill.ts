/** @module The dry run of one fill: the calls and tokens it would spend under the limits in force, before it
 * spends any. Its plan is computed once, the way the workflow computes it (prepareFill's sizing, gatherContext's
 * retrieval, the shared planning step with the current planner), by the fill queue's own code run in process:
 * no Gemini call, no embedding, and nothing recorded. */
import type { EmbeddingSpace } from '../core/chunk-ref.js';
import { endpointIdentity } from '../core/endpoint.js';
import type { FillOptions, PrepareFillResult } from '../core/fill-records.js';
import { CURRENT_PLANNER, type PlanOptions } from '../core/plan-batches.js';
import { planFill, planOptionsFor, requestOutputTokens, type PlannedFill } from '../core/plan-fill.js';
import { quotaLimitsOf } from '../core/quota-limits.js';
import type { QuotaLimits } from '../core/quota-decision.js';
import type { QuotaScarcity } from '../core/quota-scarcity.js';
import { DEFAULT_EMBEDDING_MODEL } from '../gemini/gemini-client.js';
import { buildFieldQuery } from '../retrieval/build-field-query.js';
import type { FillActivityDeps } from './deps.js';
import { EMBEDDING_DIMENSIONS } from './embed-context.js';
import { makeGatherContext } from './gather-context.js';
import { loadFields } from './load-fields.js';
import { sizeFill } from './prepare-fill.js';

export interface DryRunRequest {
  templateId: string;
  documentIds: string[];
  /** The fill's options, resolved as its start would resolve them (resolveFillOptions). */
  options: FillOptions;
}

/** What a fill would plan: its sizing, the planner's options and the plan. */
export interface PlanInProcess {
  prep: PrepareFillResult;
  planOptions: PlanOptions;
  planned: PlannedFill;
  /**
   * Texts the fill would embed before it gathers (a Gemini key is configured, the documents do not ride along
   * whole, and their vectors are not all stored yet); absent when it would embed nothing.
   */
  toEmbed?: { chunks: number; queries: number };
  /** Retrieval ranked with stored vectors, as the fill will: every chunk and field query had one. */
  vectors: boolean;
}

/**
 * The plan the workflow would make for this fill, computed here. Retrieval is BM25 with field memory, and with
 * vectors where the fill would rank by them and they are all stored already (an earlier fill embedded these
 * documents and fields): then the plan is the fill's own. Vectors still to be made would cost embedding calls,
 * so the dry run ranks without them, which may move a passage between batches but not, as a rule, the number
 * of calls.
 * @throws ApplicationFailure InvalidInput for an unknown template or document
 */
export async function planFillInProcess(deps: FillActivityDeps, req: DryRunRequest): Promise<PlanInProcess> {
  const prep = await sizeFill(deps, {
    templateId: req.templateId,
    documentIds: req.documentIds,
    maxInputTokens: req.options.maxInputTokens,
    ...(req.options.fairnessKey !== undefined ? { fairnessKey: req.options.fairnessKey } : {}),
  });
  const planOptions = planOptionsFor(req.options, prep, CURRENT_PLANNER);
  const gather = makeGatherContext(deps);
  let toEmbed: PlanInProcess['toEmbed'];
  let vectors = false;
  const planned = await planFill(prep, planOptions, {
    embed: async () => {
      if (deps.config.gemini.apiKey === undefined) return undefined;
      // The space embedContext stores vectors in (one endpoint, model and size).
      const space: EmbeddingSpace = { endpoint: endpointIdentity(deps.config.gemini.baseUrl), model: DEFAULT_EMBEDDING_MODEL, dimensions: EMBEDDING_DIMENSIONS };
      const chunks = (await deps.store.chunksWithoutEmbedding(space, req.documentIds)).length;
      const queries = [...new Set((await loadFields(deps.store, req.templateId, prep.fieldKeys)).map(buildFieldQuery))];
      const stored = await deps.store.getQueryEmbeddings(space, queries);
      const missing = queries.filter((q) => !stored.has(q)).length;
      if (chunks > 0 || missing > 0) {
        toEmbed = { chunks, queries: missing };
        return undefined;
      }
      vectors = true;
      return space;
    },
    gather: (embedding) =>
      Promise.all(prep.groups.map((fieldKeys) => gather({ templateId: req.templateId, documentIds: req.documentIds, fieldKeys, ...(embedding ? { embedding } : {}) }))),
  });
  return { prep, planOptions, planned, ...(toEmbed ? { toEmbed } : {}), vectors };
}

/** One planned call, as the dry run shows it. */
export interface PlannedCall {
  id: string;
  fields: number;
  passages: number;
  /** The planner's estimate of the call's prompt tokens (instructions, fields and schema, passages). */
  promptTokens: number;
  /** The answer tokens the planner expects at most. */
  answerTokens: number;
}

/** What `fillflow fill --dry-run` and `POST /api/fills` with `dryRun` report. */
export interface FillCostEstimate {
  templateId: string;
  documents: number;
  fields: number;
  model: string;
  /** Every call carries the documents whole (they fit beside the fields); otherwise passages are retrieved per field. */
  wholeDocuments: boolean;
  /** Gemini calls the first round makes. */
  calls: number;
  /** Estimated prompt tokens of those calls. */
  promptTokens: number;
  /** The answer tokens expected at most (generous: a short value with its quote is costed at 95). */
  answerTokens: number;
  fieldsPerCall: number;
  /** The answer limit each request sends. */
  maxOutputTokens: number;
  /** Embedding requests made before retrieval (with a Gemini key, documents not sent whole, vectors not yet stored). */
  embeddingCalls: number;
  /** Passages were ranked with stored vectors too, exactly as the fill will rank them. */
  vectors: boolean;
  /** Fields no passage matched: they would go to the offline extractor without a call. */
  fieldsWithoutContext: string[];
  callsPlanned: PlannedCall[];
  /** The per-call ceilings the fill runs with. */
  options: Pick<FillOptions, 'maxBatchSize' | 'maxInputTokens' | 'maxOutputTokens'>;
  /** The quota limits in force for the key and model (run-time ones over the configured). */
  limits: QuotaLimits;
  /** Which quota binds now, and what the ledger has left (absent for a fill without a fairness key's history). */
  quota: QuotaScarcity;
  /** Whether the calls fit the room the quota has now, and if not, the least wait before the last can go (s). */
  waitSeconds: number;
  /** What may add calls beyond the plan. */
  notes: string[];
}

/** Texts per embedding request (embedContext sends up to 100). */
const TEXTS_PER_EMBED_REQUEST = 100;

/**
 * The calls and tokens a fill would cost under the limits in force, spending nothing.
 * @example const estimate = await dryRunFill({ store, config }, { templateId, documentIds, options: resolveFillOptions(config) });
 */
export async function dryRunFill(deps: FillActivityDeps, req: DryRunRequest): Promise<FillCostEstimate> {
  const { prep, planned, toEmbed, vectors } = await planFillInProcess(deps, req);
  const { plan } = planned;
  const limits = { ...quotaLimitsOf(deps.config.limits), ...(await deps.store.quotaLimitOverrides()) };
  const calls = plan.batches.length;
  const promptTokens = plan.batches.reduce((s, b) => s + b.inputTokens, 0);
  const answerTokens = plan.batches.reduce((s, b) => s + b.outputTokens, 0);
  const asked = plan.batches.reduce((s, b) => s + b.fieldKeys.length, 0);
  const embeddingCalls = toEmbed ? Math.ceil(toEmbed.chunks / TEXTS_PER_EMBED_REQUEST) + Math.ceil(toEmbed.queries / TEXTS_PER_EMBED_REQUEST) : 0;
  const quota = prep.scarcity!;
  const notes = [
    ...(plan.wholeDocuments ? [] : ['a wider round asks the fields the first round did not find again, with their further passages (one call for every few such fields)']),
    'an answer cut at the output limit is asked again for its unfinished fields, in halves',
    'a value that fails its type is asked again once, with the error',
    'a fill asked before with the same documents and template is answered from the cache, with no call',
  ];
  return {
    templateId: req.templateId,
    documents: req.documentIds.length,
    fields: prep.fieldKeys.length,
    model: deps.config.gemini.model,
    wholeDocuments: plan.wholeDocuments,
    calls,
    promptTokens,
    answerTokens,
    fieldsPerCall: calls === 0 ? 0 : Math.round((asked / calls) * 10) / 10,
    maxOutputTokens: requestOutputTokens(req.options, prep, CURRENT_PLANNER),
    embeddingCalls,
    vectors,
    fieldsWithoutContext: plan.withoutContext,
    callsPlanned: plan.batches.map((b) => ({ id: b.id, fields: b.fieldKeys.length, passages: b.chunkIds.length, promptTokens: b.inputTokens, answerTokens: b.outputTokens })),
    options: { maxBatchSize: req.options.maxBatchSize, maxInputTokens: req.options.maxInputTokens, maxOutputTokens: req.options.maxOutputTokens },
    limits,
    quota,
    waitSeconds: waitSeconds(limits, quota, calls + embeddingCalls, promptTokens),
    notes,
  };
}

/**
 * The least wait before the last of the calls may go: none when the minute's room holds them all; otherwise a
 * minute for every further minute's worth of requests or tokens (a window's burst goes at once); a day when
 * today's requests cannot.
 */
function waitSeconds(limits: QuotaLimits, quota: QuotaScarcity, calls: number, tokens: number): number {
  if (calls === 0) return 0;
  if (calls > quota.requestsLeftToday) return 86_400;
  const requestsOver = Math.max(0, calls - quota.requestsLeftThisMinute);
  const tokensOver = Math.max(0, tokens - quota.tokensLeftThisMinute);
  if (requestsOver === 0 && tokensOver === 0) return 0;
  const minutes = Math.max(Math.ceil(requestsOver / limits.requestsPerMinute), Math.ceil(tokensOver / limits.tokensPerMinute), 1);
  return minutes * 60;
}
