/** @module Packs fields into Gemini calls: as few calls as the token budgets and batch cap allow,
 * grouping fields that share passages so each passage is sent once per call. Pure and deterministic. */
import type { ChunkRef } from './chunk-ref.js';
import { buildResponseSchema } from './build-response-schema.js';
import type { ScarceQuota } from './quota-scarcity.js';
import { estimateTokens } from './tokens.js';
import type { FieldSpec } from './types.js';

export interface PlanField {
  key: string;
  /** Tokens the field's own description costs in the prompt and the schema. */
  specTokens: number;
  /** Tokens its answer is expected to take (value, quote, JSON punctuation). */
  outputTokens: number;
  /** Passages retrieved for this field, best first. */
  context: ChunkRef[];
  /**
   * How far the field's searches agree on its best passage, 0 to 1: the share of its rankings (BM25 per query,
   * vectors) that put that passage first. Absent when one ranking was all there was.
   */
  agreement?: number;
}

/**
 * Which planner a fill runs. 1: the planner of fills recorded before calls were sized by what binds (kept
 * so those fills replay to the same calls): at most `maxBatchSize` fields, answers up to `maxOutputTokens`,
 * extras up to the input budget. 2: calls sized by what binds, the answer budget (a share of the model's own
 * output limit), the input budget and the scarce quota, with `maxBatchSize` only a ceiling; the corpus rides
 * along whole when that costs no extra call; passages beyond a field's best ones by the scarce quota. 3: as 2,
 * but when tokens are scarce a corpus larger than {@link SMALL_CORPUS_SHARE} of the input budget rides along whole
 * only if searching it would not save enough tokens (planFill compares the two plans): when tokens bind, a call
 * saved is worth less than the tokens of a whole document.
 */
export type PlannerVersion = 1 | 2 | 3;

/** The planner new fills run; the workflow passes an older one to fills recorded before it. */
export const CURRENT_PLANNER: PlannerVersion = 3;

export interface PlanOptions {
  /** @default 1 */
  planner?: PlannerVersion;
  /** Most fields in one call: the rule in planner 1, a ceiling in planner 2. */
  maxBatchSize: number;
  /** Most prompt tokens in one call: instructions, field descriptions and passages. */
  maxInputTokens: number;
  /**
   * Most answer tokens one call may return. Planner 1 fills calls with expected answers up to it; planner 2
   * up to the smaller of it and {@link ANSWER_SHARE} of `modelOutputTokens`.
   */
  maxOutputTokens: number;
  /** Planner 2: the model's own limit on one answer (see model-limits.ts). @default maxOutputTokens */
  modelOutputTokens?: number;
  /**
   * Planner 2: the quota this key should spare now (see quota-scarcity.ts). `requests`: every call's input
   * budget left over goes to further passages, and a field not found brings all its unsent ones to the wider
   * round (more context costs no request); `neither`: a field brings at most `extraChunksPerField` passages
   * beyond its core ones, none if its searches agree (then only `agreedCoreChunks` core ones); `tokens`: core
   * passages only, two if its searches agree.
   * @default 'neither'
   */
  scarce?: ScarceQuota;
  /** Planner 2, when neither quota is scarce: further passages a field may bring beyond its core ones. @default {@link DEFAULT_EXTRA_CHUNKS_PER_FIELD} */
  extraChunksPerField?: number;
  /**
   * Planner 2, when neither quota is scarce: a field whose searches agree at least this much on its best
   * passage brings no further passages (its evidence is where they all point). @default {@link AGREEMENT_STOP}
   */
  agreementStop?: number;
  /** Planner 2, unless requests are scarce: core passages of a field whose searches agree. @default {@link DEFAULT_AGREED_CORE_CHUNKS} */
  agreedCoreChunks?: number;
  /**
   * Planner 2, unless requests are scarce: passages a field not found brings to the wider round, the next best
   * it was not sent. @default {@link DEFAULT_WIDER_CHUNKS_PER_FIELD}
   */
  widerChunksPerField?: number;
  /** Fixed prompt cost of any call (instructions, framing). */
  baseTokens: number;
  /**
   * Most passages kept per field outside whole-document mode. Beyond the core ones they only fill budget a
   * batch has left, so a generous cap costs tokens only where a call has room; on the evaluation sets 10
   * raised recall over 6 for about 2% more prompt tokens, while more core passages cost far more than they found.
   * @default 10
   */
  maxChunksPerField?: number;
  /**
   * Passages a field is guaranteed in its call (its best ones); batches are formed on these. Its further
   * passages, up to `maxChunksPerField`, fill what input budget the batch has left, best-ranked first.
   * @default 3
   */
  coreChunksPerField?: number;
  /**
   * Each document's opening passage, sent in every batch outside whole-document mode while all of them take
   * at most a quarter of the input budget (otherwise offered as if each of the batch's fields had ranked it
   * second). Titles, parties, dates and reference numbers sit in the opening of most documents (contracts,
   * letters, forms, reports), where their labels are too common for a search to rank them well.
   */
  openings?: ChunkRef[];
}

export interface PlannedBatch {
  id: string;
  fieldKeys: string[];
  /** Passages to send, in reading order (document, then position). */
  chunkIds: string[];
  inputTokens: number;
  outputTokens: number;
}

export interface Plan {
  batches: PlannedBatch[];
  /** Fields with no passage at all: asking Gemini about them would be paying to hear "not found". */
  withoutContext: string[];
  /** True when every call carries the whole corpus (it fit the input budget). */
  wholeDocuments: boolean;
}

/** Passages a field may bring at most, core and extras together (see `maxChunksPerField`). */
export const DEFAULT_MAX_CHUNKS_PER_FIELD = 10;

/**
 * Planner 2: share of the model's output limit a call's expected answer may fill. Expected answers are
 * generous (a short value with its quote is costed at 95 tokens; Gemini's answers average under 40), so half
 * the limit still leaves a real answer far from MAX_TOKENS, and a cut one keeps its finished fields anyway.
 */
export const ANSWER_SHARE = 0.5;

/**
 * Planner 2, neither quota scarce: passages beyond its core ones a field may bring (see README, Benchmark,
 * for the recall and tokens each setting measured on the evaluation sets).
 */
export const DEFAULT_EXTRA_CHUNKS_PER_FIELD = 2;

/**
 * Planner 2: the agreement (see PlanField.agreement) from which a field's searches are taken to point at its
 * evidence, so it brings {@link DEFAULT_AGREED_CORE_CHUNKS} core passages and no more. Measured on CUAD (README,
 * Benchmark): 0.8 kept accuracy within 0.3 points of sending every field three core passages and its extras.
 */
export const AGREEMENT_STOP = 0.8;

/** Planner 2: core passages of a field whose searches agree. */
export const DEFAULT_AGREED_CORE_CHUNKS = 2;

/**
 * Planner 2: passages a field not found brings to the wider round, the next best it was not sent (all of them,
 * up to `maxChunksPerField`, when requests are scarce). On CUAD, 5 found as much as all of them, for 3 to 7 points
 * fewer tokens.
 */
export const DEFAULT_WIDER_CHUNKS_PER_FIELD = 5;

/** Openings are reserved in every batch only while they take at most this share of the input budget. */
const OPENINGS_SHARE = 0.25;

/** Planner 2: a corpus this small a share of the input budget rides along whole even at the cost of a call. */
export const SMALL_CORPUS_SHARE = 0.25;

/** Prompt cost of instructions and framing, shared by every call. */
export const BASE_PROMPT_TOKENS = 400;

/**
 * What the planner reserves for the frame around each passage (`<passage document="D2">`…`</passage>`, bare
 * `<passage>` in a call over one document): an upper bound kept from when the frame also named the passage and
 * its file, since changing it would change the plans of recorded fills.
 */
export const PASSAGE_FRAME_TOKENS = 20;

/** What a passage costs in the prompt: its text and its frame. */
export function promptCost(c: Pick<ChunkRef, 'tokens'>): number {
  return c.tokens + PASSAGE_FRAME_TOKENS;
}

/**
 * What a field costs in a request: its line in the prompt and its entry in the response schema, which
 * Gemini counts as input too (the {value, quote} sub-schema with its descriptions is about 70 tokens).
 */
export function fieldSpecTokens(field: FieldSpec): number {
  const text = [field.key, field.label, field.type, field.description ?? '', ...(field.options ?? []), ...(field.examples ?? []), field.pattern ?? ''].join(' ');
  return estimateTokens(text) + estimateTokens(JSON.stringify(buildResponseSchema([field]).properties)) + 10;
}

/** Answer tokens a field is expected to take; generous for free text so batches stay clear of MAX_TOKENS. */
export function expectedOutputTokens(field: Pick<FieldSpec, 'type'>): number {
  const value = field.type === 'text' ? 200 : field.type === 'list' ? 80 : field.type === 'money' ? 20 : field.type === 'string' ? 30 : 12;
  const quote = field.type === 'text' ? 200 : 50;
  return value + quote + 15;
}

/**
 * Plans the calls for a fill. When the whole corpus fits beside the field descriptions (planner 2: without
 * costing a call more than the answers need), every call carries all of it (nothing can be missed by
 * retrieval); otherwise each field brings its best passages and fields join the batch that already holds
 * most of theirs.
 */
export function planBatches(fields: PlanField[], corpus: ChunkRef[], opts: PlanOptions): Plan {
  if (fitsWholeCorpus(fields, corpus, opts)) return planWholeDocuments(fields, corpus, opts);
  const maxChunks = opts.maxChunksPerField ?? DEFAULT_MAX_CHUNKS_PER_FIELD;
  const answers = answerBudget(opts);
  const withoutContext: string[] = [];

  interface Open {
    fields: PlanField[];
    chunks: Map<string, ChunkRef>;
    inputTokens: number;
    outputTokens: number;
  }
  const core = Math.min(opts.coreChunksPerField ?? 3, maxChunks);
  // Openings ride in every batch when they are a small part of the budget; otherwise they only compete as extras.
  const openings = opts.openings ?? [];
  const openingTokens = sum(openings.map(promptCost));
  const reserved = openingTokens <= opts.maxInputTokens * OPENINGS_SHARE ? openings : [];
  const reservedTokens = reserved === openings ? openingTokens : 0;
  const open: Open[] = [];
  for (const field of fields) {
    const context = trimContext(field, opts, coreOf(field, opts, core), reservedTokens);
    if (context.length === 0) {
      withoutContext.push(field.key);
      continue;
    }
    let best: { batch: Open; added: number } | undefined;
    for (const batch of open) {
      if (batch.fields.length >= opts.maxBatchSize) continue;
      if (batch.outputTokens + field.outputTokens > answers) continue;
      const added = sum(context.filter((c) => !batch.chunks.has(c.chunkId)).map(promptCost));
      if (batch.inputTokens + added + field.specTokens > opts.maxInputTokens) continue;
      if (!best || added < best.added) best = { batch, added };
    }
    const target =
      best?.batch ??
      (() => {
        const fresh: Open = {
          fields: [],
          chunks: new Map(reserved.map((c) => [c.chunkId, c])),
          inputTokens: opts.baseTokens + reservedTokens,
          outputTokens: 0,
        };
        open.push(fresh);
        return fresh;
      })();
    target.fields.push(field);
    for (const c of context) {
      if (!target.chunks.has(c.chunkId)) {
        target.chunks.set(c.chunkId, c);
        target.inputTokens += promptCost(c);
      }
    }
    target.inputTokens += field.specTokens;
    target.outputTokens += field.outputTokens;
  }
  for (const batch of open) addRankedExtras(batch, opts, (f) => extraRanks(f, opts, core, maxChunks), opts.openings ?? []);
  const batches = open.map((b, i) => ({
    id: `b${i}`,
    fieldKeys: b.fields.map((f) => f.key),
    chunkIds: inReadingOrder([...b.chunks.values()]).map((c) => c.chunkId),
    inputTokens: b.inputTokens,
    outputTokens: b.outputTokens,
  }));
  return { batches, withoutContext, wholeDocuments: false };
}

/**
 * The expected answer tokens one call may be planned to. Planner 1: `maxOutputTokens`. Planner 2: also at
 * most {@link ANSWER_SHARE} of the model's own limit, so a call's answer stays clear of it.
 */
export function answerBudget(opts: Pick<PlanOptions, 'planner' | 'maxOutputTokens' | 'modelOutputTokens'>): number {
  if ((opts.planner ?? 1) === 1 || opts.modelOutputTokens === undefined) return opts.maxOutputTokens;
  return Math.max(1, Math.min(opts.maxOutputTokens, Math.floor(opts.modelOutputTokens * ANSWER_SHARE)));
}

/**
 * How many of a field's best passages it is guaranteed: `coreChunksPerField`, and under planner 2, unless
 * requests are scarce, `agreedCoreChunks` for a field whose searches agree on its best passage.
 */
function coreOf(field: PlanField, opts: PlanOptions, core: number): number {
  if ((opts.planner ?? 1) === 1 || opts.scarce === 'requests') return core;
  return agrees(field, opts) ? Math.min(core, opts.agreedCoreChunks ?? DEFAULT_AGREED_CORE_CHUNKS) : core;
}

function agrees(field: PlanField, opts: PlanOptions): boolean {
  return field.agreement !== undefined && field.agreement >= (opts.agreementStop ?? AGREEMENT_STOP);
}

/**
 * How far down a field's ranking its further passages may come from: planner 1 and a key short of requests
 * take them to `maxChunksPerField` while the call has input budget (more context costs no request); a key
 * short of tokens sends only core passages; otherwise a field whose searches agree on its best passage
 * brings none either, and any other field `extraChunksPerField` more.
 */
function extraRanks(field: PlanField, opts: PlanOptions, core: number, maxChunks: number): number {
  if ((opts.planner ?? 1) === 1) return maxChunks;
  const scarce = opts.scarce ?? 'neither';
  if (scarce === 'requests') return maxChunks;
  if (scarce === 'tokens') return core;
  if (agrees(field, opts)) return coreOf(field, opts, core);
  return Math.min(maxChunks, core + (opts.extraChunksPerField ?? DEFAULT_EXTRA_CHUNKS_PER_FIELD));
}

/**
 * A second, wider round for fields the first left unanswered (`not_found`): each brings the passages it
 * retrieved but was not sent (further down its ranking than the first round reached), all of them as core,
 * up to `maxChunksPerField` (planner 2, unless requests are scarce: the next `widerChunksPerField` of them),
 * planned like the first round and cut to the same budgets. A field with no unsent
 * passage is left out: asking it again over the same text would only repeat "not found". Batch ids start
 * with `w`. Planning stays pure: `sent` says which passages each field's first call carried.
 *
 * @example
 * planWidening([planFields.get('expiry')!], new Map([['expiry', firstBatch.chunkIds]]), opts)
 */
export function planWidening(fields: PlanField[], sent: ReadonlyMap<string, readonly string[]>, opts: PlanOptions): PlannedBatch[] {
  const maxChunks = opts.maxChunksPerField ?? DEFAULT_MAX_CHUNKS_PER_FIELD;
  const take = (opts.planner ?? 1) === 1 || opts.scarce === 'requests' ? maxChunks : (opts.widerChunksPerField ?? DEFAULT_WIDER_CHUNKS_PER_FIELD);
  // Unsent passages go as core: the field was not found in its best ones, so how well its searches agreed
  // on them no longer limits what it brings (planner 2).
  const wider = fields
    .map(({ agreement: _agreement, ...f }) => {
      const seen = new Set(sent.get(f.key) ?? []);
      return { ...f, context: f.context.filter((c) => !seen.has(c.chunkId)).slice(0, take) };
    })
    .filter((f) => f.context.length > 0);
  if (wider.length === 0) return [];
  const { openings: _openings, ...rest } = opts;
  const plan = planBatches(wider, [], { ...rest, coreChunksPerField: maxChunks });
  return plan.batches.map((b, i) => ({ ...b, id: `w${i}` }));
}

/**
 * Halves a batch whose answer was cut or unparseable. Each half keeps only the passages its own
 * fields brought (all of them in whole-document mode). Returns nothing for a single field: there is
 * nothing left to split, and the caller hands the field to the fallback.
 */
export function splitBatch(batch: PlannedBatch, fields: ReadonlyMap<string, PlanField>, opts: PlanOptions, wholeDocuments: boolean): PlannedBatch[] {
  if (batch.fieldKeys.length < 2) return [];
  const mid = Math.ceil(batch.fieldKeys.length / 2);
  const halves = [batch.fieldKeys.slice(0, mid), batch.fieldKeys.slice(mid)];
  return halves.map((keys, i) => narrowBatch(batch, keys, `${batch.id}.${i}`, fields, opts, wholeDocuments));
}

/**
 * The part of a batch that asks only `keys`, with only the passages those fields brought (all of the
 * batch's in whole-document mode): what a re-ask of some of a batch's fields sends.
 */
export function narrowBatch(
  batch: PlannedBatch,
  keys: readonly string[],
  id: string,
  fields: ReadonlyMap<string, PlanField>,
  opts: PlanOptions,
  wholeDocuments: boolean,
): PlannedBatch {
  const maxChunks = opts.maxChunksPerField ?? DEFAULT_MAX_CHUNKS_PER_FIELD;
  const members = keys.map((k) => fields.get(k)).filter((f): f is PlanField => f !== undefined);
  let chunkIds = batch.chunkIds;
  if (!wholeDocuments) {
    const wanted = new Set([
      ...members.flatMap((f) => trimContext(f, opts, maxChunks).map((c) => c.chunkId)),
      ...(opts.openings ?? []).map((c) => c.chunkId),
    ]);
    chunkIds = batch.chunkIds.filter((cid) => wanted.has(cid));
  }
  const byId = new Map([...(opts.openings ?? []), ...members.flatMap((f) => f.context)].map((c) => [c.chunkId, c]));
  const passageTokens = sum(chunkIds.map((cid) => { const c = byId.get(cid); return c ? promptCost(c) : 0; }));
  return {
    id,
    fieldKeys: [...keys],
    chunkIds,
    inputTokens: opts.baseTokens + passageTokens + sum(members.map((f) => f.specTokens)),
    outputTokens: sum(members.map((f) => f.outputTokens)),
  };
}

/**
 * Spends what input budget a batch has left on its fields' further passages, from each field's ranks up
 * to `upTo(field)`. A passage's priority is the sum, over the batch's fields that retrieved it, of 1 / its rank for
 * that field: a passage two fields rank well beats one that a single field ranks equally well. Passages that
 * no longer fit are skipped, so a smaller one further down may still go in.
 */
function addRankedExtras(
  batch: { fields: PlanField[]; chunks: Map<string, ChunkRef>; inputTokens: number },
  opts: PlanOptions,
  upTo: (field: PlanField) => number,
  openings: readonly ChunkRef[],
): void {
  const priority = new Map<string, { ref: ChunkRef; score: number }>();
  for (const ref of openings) {
    if (!batch.chunks.has(ref.chunkId)) priority.set(ref.chunkId, { ref, score: batch.fields.length / 2 });
  }
  for (const field of batch.fields) {
    trimContext(field, opts, upTo(field)).forEach((ref, rank) => {
      if (batch.chunks.has(ref.chunkId)) return;
      const entry = priority.get(ref.chunkId) ?? { ref, score: 0 };
      entry.score += 1 / (rank + 1);
      priority.set(ref.chunkId, entry);
    });
  }
  const ranked = [...priority.values()].sort((a, b) => b.score - a.score || compareRefs(a.ref, b.ref));
  for (const { ref } of ranked) {
    if (batch.inputTokens + promptCost(ref) > opts.maxInputTokens) continue;
    batch.chunks.set(ref.chunkId, ref);
    batch.inputTokens += promptCost(ref);
  }
}

function compareRefs(a: ChunkRef, b: ChunkRef): number {
  return a.documentId < b.documentId ? -1 : a.documentId > b.documentId ? 1 : a.seq - b.seq;
}

/** Every call carries the whole corpus; fields fill calls in template order up to the batch and token caps. */
export function planWholeDocuments(fields: PlanField[], corpus: ChunkRef[], opts: PlanOptions): Plan {
  const corpusTokens = sum(corpus.map(promptCost));
  const ordered = inReadingOrder(corpus).map((c) => c.chunkId);
  const batches = packInOrder(fields, corpusTokens, opts).map((group, i) => ({
    id: `b${i}`,
    fieldKeys: group.map((f) => f.key),
    chunkIds: ordered,
    inputTokens: opts.baseTokens + corpusTokens + sum(group.map((f) => f.specTokens)),
    outputTokens: sum(group.map((f) => f.outputTokens)),
  }));
  return { batches, withoutContext: [], wholeDocuments: true };
}

/**
 * Fields in template order, cut into calls by the batch cap, the answer budget and the input budget (with
 * `passageTokens` of passages in every call). A field too big for any call still goes, alone.
 */
function packInOrder<F extends Pick<PlanField, 'specTokens' | 'outputTokens'>>(fields: readonly F[], passageTokens: number, opts: PlanOptions): F[][] {
  const answers = answerBudget(opts);
  const groups: F[][] = [];
  let current: F[] = [];
  let output = 0;
  let specs = 0;
  for (const f of fields) {
    const fits =
      current.length + 1 <= opts.maxBatchSize &&
      output + f.outputTokens <= answers &&
      opts.baseTokens + passageTokens + specs + f.specTokens <= opts.maxInputTokens;
    if (!fits && current.length > 0) {
      groups.push(current);
      current = [];
      output = 0;
      specs = 0;
    }
    current.push(f);
    output += f.outputTokens;
    specs += f.specTokens;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * Whether every call can carry the whole corpus beside its fields: decided from the fields' costs alone,
 * before any retrieval, so a fill whose documents ride along whole never searches them. Planner 1: when it
 * fits beside `maxBatchSize` field descriptions. Planner 2: when carrying it costs no call more than the
 * answers and field descriptions need anyway (a larger corpus would be sent again with every extra call), or
 * when it is small (at most {@link SMALL_CORPUS_SHARE} of the input budget): then the passages a batch of many
 * fields retrieves are most of it anyway, so sending it whole costs little more and misses nothing. Planner 3,
 * with tokens scarce: only when it is small (see {@link wholeIsFree} for the rest).
 */
export function fitsWholeCorpus(fields: readonly Pick<PlanField, 'specTokens' | 'outputTokens'>[], corpus: readonly ChunkRef[], opts: PlanOptions): boolean {
  if (corpus.length === 0) return false;
  const corpusTokens = sum(corpus.map(promptCost));
  if ((opts.planner ?? 1) === 1) return wholeCorpusFits(fields, corpusTokens, opts);
  if (fields.some((f) => opts.baseTokens + corpusTokens + f.specTokens > opts.maxInputTokens)) return false;
  if (corpusTokens <= opts.maxInputTokens * SMALL_CORPUS_SHARE) return true;
  // Planner 3: with tokens scarce, a larger corpus is searched first; planFill sends it whole only if that saves little.
  if ((opts.planner ?? 1) >= 3 && opts.scarce === 'tokens') return false;
  return packInOrder(fields, corpusTokens, opts).length <= packInOrder(fields, 0, opts).length;
}

/**
 * Whether the whole corpus could ride along in every call without costing a call more than the fields need: planner
 * 2's rule, which planner 3 with tokens scarce weighs against what searching would send instead.
 */
export function wholeIsFree(fields: readonly Pick<PlanField, 'specTokens' | 'outputTokens'>[], corpus: readonly ChunkRef[], opts: PlanOptions): boolean {
  return fitsWholeCorpus(fields, corpus, { ...opts, planner: 2 });
}

function wholeCorpusFits(fields: readonly Pick<PlanField, 'specTokens'>[], corpusTokens: number, opts: PlanOptions): boolean {
  // The corpus must fit beside the largest batch we would send with it: that many field descriptions.
  const specs = fields.map((f) => f.specTokens).sort((a, b) => b - a);
  const biggestBatch = sum(specs.slice(0, opts.maxBatchSize));
  return opts.baseTokens + corpusTokens + biggestBatch <= opts.maxInputTokens;
}

/** The field's best passages, at most `maxChunks`, cut so the field alone still fits one call. */
function trimContext(field: PlanField, opts: PlanOptions, maxChunks: number, reservedTokens = 0): ChunkRef[] {
  const room = opts.maxInputTokens - opts.baseTokens - reservedTokens - field.specTokens;
  const kept: ChunkRef[] = [];
  let used = 0;
  for (const c of field.context) {
    if (kept.length >= maxChunks) break;
    if (used + promptCost(c) > room) continue;
    kept.push(c);
    used += promptCost(c);
  }
  return kept;
}

function inReadingOrder(refs: ChunkRef[]): ChunkRef[] {
  return [...refs].sort((a, b) => (a.documentId < b.documentId ? -1 : a.documentId > b.documentId ? 1 : a.seq - b.seq));
}

function sum(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}
