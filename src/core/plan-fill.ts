/** @module A fill's planning step, once for every caller: the fillTemplate workflow (with its activities), the
 * dry run (the same activities in process, without Gemini) and the benchmarks. Decide whether the documents
 * ride along whole, else gather every field's context (with vectors when there are any), then plan the calls.
 * No I/O of its own: the steps that need some are handed in. Safe in workflows. */
import type { EmbeddingSpace } from './chunk-ref.js';
import type { FillOptions, PrepareFillResult } from './fill-records.js';
import {
  BASE_PROMPT_TOKENS,
  fitsWholeCorpus,
  planBatches,
  planWholeDocuments,
  wholeIsFree,
  type Plan,
  type PlanField,
  type PlannerVersion,
  type PlanOptions,
} from './plan-batches.js';

export interface PlannedFill {
  planFields: ReadonlyMap<string, PlanField>;
  plan: Plan;
}

/** What planning asks of the caller: vectors, and every group's context. */
export interface PlanFillSteps {
  /** The fill's vectors, or undefined for BM25 alone (the dry run never embeds: that would be a Gemini call). */
  embed(): Promise<EmbeddingSpace | undefined>;
  /** Every group's fields (PrepareFillResult.groups) with their context, gathered with `embedding` when set. */
  gather(embedding?: EmbeddingSpace): Promise<PlanField[][]>;
}

/**
 * The batch and token sizes a fill started without them ran with before planner 2 (DEFAULT_FILL_OPTIONS has
 * larger ones since): a fill recorded then replays with them, or its calls would change.
 */
export const PLANNER_1_DEFAULTS: Readonly<Pick<FillOptions, 'maxBatchSize' | 'maxInputTokens' | 'maxOutputTokens'>> = {
  maxBatchSize: 15,
  maxInputTokens: 24_000,
  maxOutputTokens: 8_192,
};

/**
 * The options a planner-1 fill ran with: those its input left out take {@link PLANNER_1_DEFAULTS}, not
 * today's defaults. `given` is the input's own `options`, as it arrived (anything, from any client).
 */
export function planner1Options(options: FillOptions, given: unknown): FillOptions {
  const own = typeof given === 'object' && given !== null ? (given as Record<string, unknown>) : {};
  const out = { ...options };
  for (const key of ['maxBatchSize', 'maxInputTokens', 'maxOutputTokens'] as const) {
    if (own[key] === undefined) out[key] = PLANNER_1_DEFAULTS[key];
  }
  return out;
}

/**
 * The planner's options for a fill: its own options, the prompt's fixed cost and the documents' openings;
 * planner 2 adds the model's answer limit and the scarce quota that prepareFill found.
 */
export function planOptionsFor(options: FillOptions, prep: PrepareFillResult, planner: PlannerVersion): PlanOptions {
  const base: PlanOptions = { ...options, baseTokens: BASE_PROMPT_TOKENS, openings: prep.openings ?? [] };
  if (planner === 1) return base;
  return {
    ...base,
    planner,
    ...(prep.modelOutputTokens !== undefined ? { modelOutputTokens: prep.modelOutputTokens } : {}),
    ...(prep.scarcity ? { scarce: prep.scarcity.scarce } : {}),
  };
}

/**
 * The answer limit each request sends: the fill's `maxOutputTokens`, and under planner 2 never more than the
 * model's own limit (a request above it would be refused, not answered longer).
 */
export function requestOutputTokens(options: FillOptions, prep: PrepareFillResult, planner: PlannerVersion): number {
  if (planner === 1 || prep.modelOutputTokens === undefined) return options.maxOutputTokens;
  return Math.min(options.maxOutputTokens, prep.modelOutputTokens);
}

/**
 * Planner 3, tokens scarce: searching must plan at most this share of the prompt tokens the whole corpus would (over
 * the same calls' instructions and fields) to be chosen over sending it whole. The first round's plan is all that is
 * known then, and a wider round for fields not found comes on top, paid for in recall as well. Measured with tokens
 * scarce (README, Benchmark): at 0.75 Kleister-Charity's mid-sized reports were searched for no saving at all and
 * 2.3 points of recall; at 0.5 they ride along whole as under planner 2, while CUAD's long contracts are still searched.
 */
export const SEARCH_TOKEN_SHARE = 0.5;

/**
 * Plans a fill: a corpus that rides along whole in every call needs no search at all; otherwise vectors are
 * made (when the caller can) and every field's context is gathered once, with them. Planner 3 with tokens scarce
 * first plans a corpus that would ride along for free by keyword search (no vectors yet) and keeps it whole unless
 * that plan sends at most {@link SEARCH_TOKEN_SHARE} of the whole plan's prompt tokens.
 */
export async function planFill(prep: PrepareFillResult, planOptions: PlanOptions, steps: PlanFillSteps): Promise<PlannedFill> {
  const alone = new Map(prep.fields.map((f) => [f.key, f]));
  if (fitsWholeCorpus(prep.fields, prep.corpus, planOptions)) return { planFields: alone, plan: planBatches(prep.fields, prep.corpus, planOptions) };
  let searched: PlannedFill | undefined;
  if ((planOptions.planner ?? 1) >= 3 && planOptions.scarce === 'tokens' && wholeIsFree(prep.fields, prep.corpus, planOptions)) {
    searched = planWithContext(prep, planOptions, await steps.gather());
    const wholePlan = planWholeDocuments(prep.fields, prep.corpus, planOptions);
    if (promptTokens(searched.plan) > SEARCH_TOKEN_SHARE * promptTokens(wholePlan)) return { planFields: alone, plan: wholePlan };
  }
  const embedding = prep.corpusTokens > 0 ? await steps.embed() : undefined;
  // Without vectors the keyword plan above is already the plan.
  if (searched && !embedding) return searched;
  return planWithContext(prep, planOptions, await steps.gather(embedding));
}

/** The plan once every group's context is in, fields in template order. */
export function planWithContext(prep: PrepareFillResult, planOptions: PlanOptions, gathered: PlanField[][]): PlannedFill {
  const byKey = new Map<string, PlanField>(gathered.flat().map((f) => [f.key, f]));
  return { planFields: byKey, plan: planBatches(prep.fieldKeys.map((k) => byKey.get(k)!), prep.corpus, planOptions) };
}

/** The prompt tokens a plan's calls are sized to send. */
function promptTokens(plan: Plan): number {
  return plan.batches.reduce((sum, b) => sum + b.inputTokens, 0);
}
