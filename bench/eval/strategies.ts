/** @module The three ways one document's fields are asked, run on the pipeline's own pure parts (retrieval,
 * planning, prompt, the real Gemini client against the emulator, answer resolution) without Temporal:
 * Fillflow's plan, one whole-document call, and one call per field with its top-k passages. */
import { buildPrompt } from '../../src/core/build-prompt.js';
import { buildResponseSchema } from '../../src/core/build-response-schema.js';
import { mergePassages, type SourceSpan } from '../../src/core/merge-passages.js';
import type { ContextRef, PlanField, PlannedBatch } from '../../src/core/plan-batches.js';
import { BASE_PROMPT_TOKENS, DEFAULT_MAX_CHUNKS_PER_FIELD, expectedOutputTokens, fieldSpecTokens, narrowBatch, planBatches, planWidening } from '../../src/core/plan-batches.js';
import { parseAnswer, resolveAnswers } from '../../src/core/resolve-answer.js';
import type { FieldResult, FieldSpec } from '../../src/core/types.js';
import type { GeminiClient } from '../../src/gemini/gemini-client.js';
import { searchFields } from '../../src/retrieval/search-fields.js';
import type { EmbeddingSpace } from '../../src/store/embedding-store.js';
import type { Chunk, Store } from '../../src/store/store.js';

export interface DocRun {
  calls: number;
  promptTokens: number;
  /**
   * Where every passage sent in a call that asked the field lies in its document (what a model could have
   * read): ranges, not joined text, so overlapping or adjacent passages count as the text they cover.
   */
  context: Map<string, SentRange[]>;
  /** Each field's latest answer, sources included (what finalizeFill would store); a field never asked has none. */
  results: Map<string, FieldResult>;
}

export interface SentRange {
  start: number;
  end: number;
}

export interface RunSettings {
  maxInputTokens: number;
  maxOutputTokens: number;
  maxBatchSize: number;
  topK: number;
  embeddings?: EmbeddingSpace;
  openings?: boolean;
  maxChunksPerField?: number;
  coreChunksPerField?: number;
  /** Passages retrieved per field (gatherContext's TOP_K). */
  retrieveK?: number;
  /** A second, wider round for fields the first left not found (planWidening). */
  widen?: boolean;
  /** Field memory, as gatherContext recalls it: the template's id and quotes recalled per field. */
  memory?: { templateId: string; perField: number };
}

const passageOf = (c: SourceSpan) => ({ documentId: c.documentId, start: c.start, text: c.text, ...(c.page !== undefined ? { page: c.page } : {}) });

/** Set by run-eval's --no-merge: send every chunk as its own passage, as before merging existed. */
export let mergeTouching = true;
export function setMergeTouching(on: boolean): void {
  mergeTouching = on;
}

/** The call's passages as extractBatch builds them: touching chunks of a document merged into one. */
async function callPassages(store: Store, chunks: Chunk[], merge: boolean): Promise<SourceSpan[]> {
  if (!merge) return chunks;
  const texts = new Map<string, string | undefined>();
  for (const c of chunks) if (!texts.has(c.documentId)) texts.set(c.documentId, await store.getDocumentText(c.documentId));
  return mergePassages(chunks, (id) => texts.get(id));
}

/** One call, as extractBatch makes it (minus cache and Temporal). */
async function ask(store: Store, gemini: GeminiClient, run: DocRun, fields: FieldSpec[], chunkIds: string[], maxOutputTokens: number, corrections?: Record<string, string>): Promise<FieldResult[]> {
  const chunks = await store.getChunks(chunkIds);
  const passages = await callPassages(store, chunks, mergeTouching);
  const prompt = buildPrompt(fields, passages.map((p) => ({ documentName: 'document', text: p.text })), corrections);
  const answer = await gemini.generateJson({
    systemInstruction: prompt.systemInstruction,
    userText: prompt.userText,
    responseJsonSchema: buildResponseSchema(fields),
    maxOutputTokens,
  });
  run.calls++;
  run.promptTokens += answer.usage.promptTokens;
  const ranges = chunks.map((c) => ({ start: c.start, end: c.end }));
  for (const f of fields) run.context.set(f.key, [...(run.context.get(f.key) ?? []), ...ranges]);
  const parsed = parseAnswer(answer.text, fields.map((f) => f.key));
  if (!parsed.ok) throw new Error(`unusable emulator answer: ${parsed.reason}`);
  const results = resolveAnswers(fields, parsed.answers, passages.map(passageOf), 'gemini');
  for (const r of results) run.results.set(r.key, r);
  return results;
}

function emptyRun(): DocRun {
  return { calls: 0, promptTokens: 0, context: new Map(), results: new Map() };
}

async function planFieldsFor(store: Store, fields: FieldSpec[], documentId: string, s: RunSettings, topK: number, memory?: RunSettings['memory']): Promise<PlanField[]> {
  const remembered = memory ? await store.recallQuotes(memory.templateId, fields.map((f) => f.key), [documentId], memory.perField) : undefined;
  const hits = await searchFields(store, fields, [documentId], { topK, ...(s.embeddings ? { embeddings: s.embeddings } : {}), ...(remembered ? { remembered } : {}) });
  return fields.map((f) => ({
    key: f.key,
    specTokens: fieldSpecTokens(f),
    outputTokens: expectedOutputTokens(f),
    context: (hits[f.key] ?? []).map((h): ContextRef => ({ chunkId: h.chunkId, documentId: h.documentId, seq: h.seq, tokens: h.tokens, score: h.score })),
  }));
}

/**
 * Fillflow: plan (whole corpus if it fits, else grouped and ranked passages) with the field memory earlier
 * documents left, one call per batch, the wider round, one re-ask round. The caller remembers the run's
 * proven quotes afterwards, as finalizeFill does.
 */
export async function runFillflow(store: Store, gemini: GeminiClient, fields: FieldSpec[], documentId: string, s: RunSettings): Promise<DocRun> {
  const run = emptyRun();
  const listed = await store.listChunks([documentId]);
  const corpusTokens = listed.reduce((n, c) => n + c.tokens, 0);
  const corpus: ContextRef[] = corpusTokens <= s.maxInputTokens ? listed.map((c) => ({ chunkId: c.chunkId, documentId: c.documentId, seq: c.seq, tokens: c.tokens, score: 0 })) : [];
  const planFields = await planFieldsFor(store, fields, documentId, s, s.retrieveK ?? DEFAULT_MAX_CHUNKS_PER_FIELD, s.memory);
  const first = listed.find((c) => c.seq === 0);
  const openings: ContextRef[] = s.openings && first ? [{ chunkId: first.chunkId, documentId: first.documentId, seq: 0, tokens: first.tokens, score: 0 }] : [];
  const opts = {
    maxBatchSize: s.maxBatchSize,
    maxInputTokens: s.maxInputTokens,
    maxOutputTokens: s.maxOutputTokens,
    baseTokens: BASE_PROMPT_TOKENS,
    openings,
    ...(s.maxChunksPerField ? { maxChunksPerField: s.maxChunksPerField } : {}),
    ...(s.coreChunksPerField ? { coreChunksPerField: s.coreChunksPerField } : {}),
  };
  const plan = planBatches(planFields, corpus, opts);
  const byKey = new Map(fields.map((f) => [f.key, f]));
  const byPlan = new Map(planFields.map((f) => [f.key, f]));
  const invalid: { batch: PlannedBatch; corrections: Record<string, string> }[] = [];
  const status = new Map<string, FieldResult['status']>();
  const sent = new Map<string, string[]>();
  for (const batch of plan.batches) {
    const results = await ask(store, gemini, run, batch.fieldKeys.map((k) => byKey.get(k)!), batch.chunkIds, s.maxOutputTokens);
    for (const r of results) status.set(r.key, r.status);
    for (const k of batch.fieldKeys) sent.set(k, batch.chunkIds);
    const corrections: Record<string, string> = {};
    for (const r of results) if (r.status === 'invalid') corrections[r.key] = `rejected: ${r.reason ?? 'invalid'}`;
    if (Object.keys(corrections).length > 0) invalid.push({ batch, corrections });
  }
  // As the workflow does: one wider round for fields not found, then the re-ask of invalid values.
  if (s.widen && !plan.wholeDocuments) {
    const unfound = planFields.filter((f) => status.get(f.key) === 'not_found');
    for (const batch of planWidening(unfound, sent, opts)) {
      const results = await ask(store, gemini, run, batch.fieldKeys.map((k) => byKey.get(k)!), batch.chunkIds, s.maxOutputTokens);
      const corrections: Record<string, string> = {};
      for (const r of results) if (r.status === 'invalid') corrections[r.key] = `rejected: ${r.reason ?? 'invalid'}`;
      if (Object.keys(corrections).length > 0) invalid.push({ batch, corrections });
    }
  }
  for (const { batch, corrections } of invalid) {
    const narrow = narrowBatch(batch, Object.keys(corrections), `${batch.id}.r`, byPlan, opts, plan.wholeDocuments);
    for (const r of await ask(store, gemini, run, narrow.fieldKeys.map((k) => byKey.get(k)!), narrow.chunkIds, s.maxOutputTokens, corrections)) {
      status.set(r.key, r.status);
    }
  }
  return run;
}

/** Baseline: the whole document and every field in one call, whatever its size. */
export async function runWholeDocument(store: Store, gemini: GeminiClient, fields: FieldSpec[], documentId: string, s: RunSettings): Promise<DocRun> {
  const run = emptyRun();
  const all = (await store.listChunks([documentId])).map((c) => c.chunkId);
  await ask(store, gemini, run, fields, all, s.maxOutputTokens);
  return run;
}

/** Baseline: one call per field with its top-k passages (the same hybrid search). */
export async function runPerField(store: Store, gemini: GeminiClient, fields: FieldSpec[], documentId: string, s: RunSettings): Promise<DocRun> {
  const run = emptyRun();
  const planFields = await planFieldsFor(store, fields, documentId, s, s.topK);
  for (const [i, f] of fields.entries()) {
    const ids = [...planFields[i]!.context].sort((a, b) => a.seq - b.seq).map((c) => c.chunkId);
    if (ids.length === 0) continue;
    await ask(store, gemini, run, [f], ids, s.maxOutputTokens);
  }
  return run;
}
