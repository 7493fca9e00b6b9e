/** @module prepareFill: checks the fill's inputs exist, records the fill, and sizes its corpus and fields, and
 * reads which of the key's quotas is scarce, before any spend. */
import { ApplicationFailure } from '@temporalio/activity';
import { FailureType } from '../core/failure-types.js';
import type { PrepareFillInput, PrepareFillResult } from '../core/fill-records.js';
import type { ChunkRef } from '../core/chunk-ref.js';
import { modelOutputTokens } from '../core/model-limits.js';
import { expectedOutputTokens, fieldSpecTokens } from '../core/plan-batches.js';
import { quotaLimitsOf } from '../core/quota-limits.js';
import { quotaScarcity, type QuotaScarcity } from '../core/quota-scarcity.js';
import type { FillActivityDeps } from './deps.js';
import { loadTemplate } from './load-fields.js';

/** Fields per gatherContext activity: enough to amortise a task, few enough to run groups in parallel. */
const GROUP_SIZE = 20;

export function makePrepareFill(deps: FillActivityDeps) {
  const { store } = deps;
  return async function prepareFill(input: PrepareFillInput): Promise<PrepareFillResult> {
    const sized = await sizeFill(deps, input);
    // Idempotent: a fill started through the client alone is recorded here; one the CLI recorded stays as it is.
    await store.createFill({ fillId: input.fillId, templateId: input.templateId, documentIds: input.documentIds });
    return sized;
  };
}

/**
 * Everything prepareFill answers, without recording the fill: the dry run sizes a fill the same way.
 * @throws ApplicationFailure InvalidInput for an unknown template or document
 */
export async function sizeFill({ store, config }: FillActivityDeps, input: Omit<PrepareFillInput, 'fillId'>): Promise<PrepareFillResult> {
  const template = await loadTemplate(store, input.templateId);
  for (const id of input.documentIds) {
    if (!(await store.getDocument(id))) {
      throw ApplicationFailure.create({ type: FailureType.InvalidInput, nonRetryable: true, message: `unknown document "${id}"` });
    }
  }
  const chunks = await store.listChunks(input.documentIds);
  const corpusTokens = chunks.reduce((s, c) => s + c.tokens, 0);
  // Only a corpus that could ride along whole is worth listing; a bigger one would bloat history for nothing.
  const corpus: ChunkRef[] =
    corpusTokens <= input.maxInputTokens
      ? chunks.map((c) => ({ chunkId: c.chunkId, documentId: c.documentId, seq: c.seq, tokens: c.tokens, score: 0 }))
      : [];
  const keys = template.fields.map((f) => f.key);
  const groups: string[][] = [];
  for (let i = 0; i < keys.length; i += GROUP_SIZE) groups.push(keys.slice(i, i + GROUP_SIZE));
  const openings: ChunkRef[] = chunks
    .filter((c) => c.seq === 0)
    .map((c) => ({ chunkId: c.chunkId, documentId: c.documentId, seq: c.seq, tokens: c.tokens, score: 0 }));
  const fields = template.fields.map((f) => ({ key: f.key, specTokens: fieldSpecTokens(f), outputTokens: expectedOutputTokens(f), context: [] }));
  return {
    fieldKeys: keys,
    fields,
    groups,
    corpus,
    corpusTokens,
    openings,
    modelOutputTokens: modelOutputTokens(config.gemini.model),
    scarcity: await readScarcity({ store, config }, input),
  };
}

/**
 * Which quota binds for this key and model now: the limits in force (run-time ones from `fillflow limits
 * apply` over the configured ones, as every Gemini call reserves against) and the ledger's count of the
 * key's minute and day. A fill without a fairness key is judged by the limits alone.
 */
async function readScarcity({ store, config }: FillActivityDeps, input: Pick<PrepareFillInput, 'fairnessKey' | 'maxInputTokens'>): Promise<QuotaScarcity> {
  const limits = { ...quotaLimitsOf(config.limits), ...(await store.quotaLimitOverrides()) };
  const [use] = input.fairnessKey ? await store.quotaSnapshots({ keyId: input.fairnessKey, model: config.gemini.model }) : [];
  return quotaScarcity(limits, use, input.maxInputTokens);
}
