/** @module Packs fields into Gemini calls: as few calls as the token budgets and batch cap allow,
 * grouping fields that share passages so each passage is sent once per call. Pure and deterministic. */
import type { ChunkRef } from './chunk-ref.js';
import { buildResponseSchema } from './build-response-schema.js';
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
}

export interface PlanOptions {
  /** Most fields in one call. @default 15 */
  maxBatchSize: number;
  /** Most prompt tokens in one call: instructions, field descriptions and passages. */
  maxInputTokens: number;
  /** Most answer tokens expected from one call; keeps clear of MAX_TOKENS. */
  maxOutputTokens: number;
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

/** Openings are reserved in every batch only while they take at most this share of the input budget. */
const OPENINGS_SHARE = 0.25;

/** Prompt cost of instructions and framing, shared by every call. */
export const BASE_PROMPT_TOKENS = 400;

/** The `<passage id=… document=…>` frame around each passage, with a document name of typical length. */
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
 * Plans the calls for a fill. When the whole corpus fits one call's input budget next to a batch of
 * field descriptions, every call carries all of it (nothing can be missed by retrieval); otherwise
 * each field brings its best passages and fields join the batch that already holds most of theirs.
 */
export function planBatches(fields: PlanField[], corpus: ChunkRef[], opts: PlanOptions): Plan {
  if (fitsWholeCorpus(fields, corpus, opts)) return planWholeDocuments(fields, corpus, opts);
  const maxChunks = opts.maxChunksPerField ?? DEFAULT_MAX_CHUNKS_PER_FIELD;
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
    const context = trimContext(field, opts, core, reservedTokens);
    if (context.length === 0) {
      withoutContext.push(field.key);
      continue;
    }
    let best: { batch: Open; added: number } | undefined;
    for (const batch of open) {
      if (batch.fields.length >= opts.maxBatchSize) continue;
      if (batch.outputTokens + field.outputTokens > opts.maxOutputTokens) continue;
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
  for (const batch of open) addRankedExtras(batch, opts, maxChunks, opts.openings ?? []);
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
 * A second, wider round for fields the first left unanswered (`not_found`): each brings the passages it
 * retrieved but was not sent (further down its ranking than the first round reached), all of them as core,
 * up to `maxChunksPerField`, planned like the first round and cut to the same budgets. A field with no unsent
 * passage is left out: asking it again over the same text would only repeat "not found". Batch ids start
 * with `w`. Planning stays pure: `sent` says which passages each field's first call carried.
 *
 * @example
 * planWidening([planFields.get('expiry')!], new Map([['expiry', firstBatch.chunkIds]]), opts)
 */
export function planWidening(fields: PlanField[], sent: ReadonlyMap<string, readonly string[]>, opts: PlanOptions): PlannedBatch[] {
  const maxChunks = opts.maxChunksPerField ?? DEFAULT_MAX_CHUNKS_PER_FIELD;
  const wider = fields
    .map((f) => {
      const seen = new Set(sent.get(f.key) ?? []);
      return { ...f, context: f.context.filter((c) => !seen.has(c.chunkId)) };
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
 * Spends what input budget a batch has left on its fields' further passages. A passage's priority is the
 * sum, over the batch's fields that retrieved it, of 1 / its rank for that field: a passage two fields
 * rank well beats one that a single field ranks equally well. Passages that no longer fit are skipped,
 * so a smaller one further down may still go in.
 */
function addRankedExtras(
  batch: { fields: PlanField[]; chunks: Map<string, ChunkRef>; inputTokens: number },
  opts: PlanOptions,
  maxChunks: number,
  openings: readonly ChunkRef[],
): void {
  const priority = new Map<string, { ref: ChunkRef; score: number }>();
  for (const ref of openings) {
    if (!batch.chunks.has(ref.chunkId)) priority.set(ref.chunkId, { ref, score: batch.fields.length / 2 });
  }
  for (const field of batch.fields) {
    trimContext(field, opts, maxChunks).forEach((ref, rank) => {
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
function planWholeDocuments(fields: PlanField[], corpus: ChunkRef[], opts: PlanOptions): Plan {
  const corpusTokens = sum(corpus.map(promptCost));
  const ordered = inReadingOrder(corpus).map((c) => c.chunkId);
  const batches: PlannedBatch[] = [];
  let current: PlanField[] = [];
  const flush = () => {
    if (current.length === 0) return;
    batches.push({
      id: `b${batches.length}`,
      fieldKeys: current.map((f) => f.key),
      chunkIds: ordered,
      inputTokens: opts.baseTokens + corpusTokens + sum(current.map((f) => f.specTokens)),
      outputTokens: sum(current.map((f) => f.outputTokens)),
    });
    current = [];
  };
  for (const f of fields) {
    const next = [...current, f];
    const fits =
      next.length <= opts.maxBatchSize &&
      sum(next.map((x) => x.outputTokens)) <= opts.maxOutputTokens &&
      opts.baseTokens + corpusTokens + sum(next.map((x) => x.specTokens)) <= opts.maxInputTokens;
    if (!fits) flush();
    current.push(f);
  }
  flush();
  return { batches, withoutContext: [], wholeDocuments: true };
}

/**
 * Whether every call can carry the whole corpus beside its fields: decided from the fields' costs alone,
 * before any retrieval, so a fill whose documents ride along whole never searches them.
 */
export function fitsWholeCorpus(fields: readonly Pick<PlanField, 'specTokens'>[], corpus: readonly ChunkRef[], opts: PlanOptions): boolean {
  return corpus.length > 0 && wholeCorpusFits(fields, sum(corpus.map(promptCost)), opts);
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
