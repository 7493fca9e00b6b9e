/** @module Packs fields into Gemini calls: as few calls as the token budgets and batch cap allow,
 * grouping fields that share passages so each passage is sent once per call. Pure and deterministic. */
import { estimateTokens } from './tokens.js';
import type { FieldSpec } from './types.js';

/** A retrieved passage as planning sees it: an id, its size and where it sits, never its text. */
export interface ContextRef {
  chunkId: string;
  documentId: string;
  seq: number;
  tokens: number;
  score: number;
}

export interface PlanField {
  key: string;
  /** Tokens the field's own description costs in the prompt and the schema. */
  specTokens: number;
  /** Tokens its answer is expected to take (value, quote, JSON punctuation). */
  outputTokens: number;
  /** Passages retrieved for this field, best first. */
  context: ContextRef[];
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
  /** Most passages kept per field outside whole-document mode. @default 4 */
  maxChunksPerField?: number;
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

/** Prompt cost of instructions and framing, shared by every call. */
export const BASE_PROMPT_TOKENS = 400;

export function fieldSpecTokens(field: FieldSpec): number {
  const text = [field.key, field.label, field.type, field.description ?? '', ...(field.options ?? []), ...(field.examples ?? [])].join(' ');
  // The key appears again in the response schema, with its value and quote sub-schema.
  return estimateTokens(text) + 30;
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
export function planBatches(fields: PlanField[], corpus: ContextRef[], opts: PlanOptions): Plan {
  const maxChunks = opts.maxChunksPerField ?? 4;
  const corpusTokens = sum(corpus.map((c) => c.tokens));
  const withoutContext: string[] = [];

  if (corpus.length > 0 && wholeCorpusFits(fields, corpusTokens, opts)) {
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
    return { batches, withoutContext, wholeDocuments: true };
  }

  interface Open {
    fields: PlanField[];
    chunks: Map<string, ContextRef>;
    inputTokens: number;
    outputTokens: number;
  }
  const open: Open[] = [];
  for (const field of fields) {
    const context = trimContext(field, opts, maxChunks);
    if (context.length === 0) {
      withoutContext.push(field.key);
      continue;
    }
    let best: { batch: Open; added: number } | undefined;
    for (const batch of open) {
      if (batch.fields.length >= opts.maxBatchSize) continue;
      if (batch.outputTokens + field.outputTokens > opts.maxOutputTokens) continue;
      const added = sum(context.filter((c) => !batch.chunks.has(c.chunkId)).map((c) => c.tokens));
      if (batch.inputTokens + added + field.specTokens > opts.maxInputTokens) continue;
      if (!best || added < best.added) best = { batch, added };
    }
    const target =
      best?.batch ??
      (() => {
        const fresh: Open = { fields: [], chunks: new Map(), inputTokens: opts.baseTokens, outputTokens: 0 };
        open.push(fresh);
        return fresh;
      })();
    target.fields.push(field);
    for (const c of context) {
      if (!target.chunks.has(c.chunkId)) {
        target.chunks.set(c.chunkId, c);
        target.inputTokens += c.tokens;
      }
    }
    target.inputTokens += field.specTokens;
    target.outputTokens += field.outputTokens;
  }
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
 * Halves a batch whose answer was cut or unparseable. Each half keeps only the passages its own
 * fields brought (all of them in whole-document mode). Returns nothing for a single field: there is
 * nothing left to split, and the caller hands the field to the fallback.
 */
export function splitBatch(batch: PlannedBatch, fields: ReadonlyMap<string, PlanField>, opts: PlanOptions, wholeDocuments: boolean): PlannedBatch[] {
  if (batch.fieldKeys.length < 2) return [];
  const mid = Math.ceil(batch.fieldKeys.length / 2);
  const halves = [batch.fieldKeys.slice(0, mid), batch.fieldKeys.slice(mid)];
  const maxChunks = opts.maxChunksPerField ?? 4;
  return halves.map((keys, i) => {
    const members = keys.map((k) => fields.get(k)).filter((f): f is PlanField => f !== undefined);
    let chunkIds = batch.chunkIds;
    if (!wholeDocuments) {
      const wanted = new Set(members.flatMap((f) => trimContext(f, opts, maxChunks).map((c) => c.chunkId)));
      chunkIds = batch.chunkIds.filter((id) => wanted.has(id));
    }
    const byId = new Map(members.flatMap((f) => f.context).map((c) => [c.chunkId, c]));
    const passageTokens = sum(chunkIds.map((id) => byId.get(id)?.tokens ?? 0));
    return {
      id: `${batch.id}.${i}`,
      fieldKeys: keys,
      chunkIds,
      inputTokens: opts.baseTokens + passageTokens + sum(members.map((f) => f.specTokens)),
      outputTokens: sum(members.map((f) => f.outputTokens)),
    };
  });
}

function wholeCorpusFits(fields: PlanField[], corpusTokens: number, opts: PlanOptions): boolean {
  // The corpus must fit beside the largest batch we would send with it: that many field descriptions.
  const specs = fields.map((f) => f.specTokens).sort((a, b) => b - a);
  const biggestBatch = sum(specs.slice(0, opts.maxBatchSize));
  return opts.baseTokens + corpusTokens + biggestBatch <= opts.maxInputTokens;
}

/** The field's best passages, at most `maxChunks`, cut so the field alone still fits one call. */
function trimContext(field: PlanField, opts: PlanOptions, maxChunks: number): ContextRef[] {
  const room = opts.maxInputTokens - opts.baseTokens - field.specTokens;
  const kept: ContextRef[] = [];
  let used = 0;
  for (const c of field.context) {
    if (kept.length >= maxChunks) break;
    if (used + c.tokens > room) continue;
    kept.push(c);
    used += c.tokens;
  }
  return kept;
}

function inReadingOrder(refs: ContextRef[]): ContextRef[] {
  return [...refs].sort((a, b) => (a.documentId < b.documentId ? -1 : a.documentId > b.documentId ? 1 : a.seq - b.seq));
}

function sum(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}
