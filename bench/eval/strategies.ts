/** @module The three ways one document's fields are asked, all through the product's own activities run in
 * process (in-process.ts) and the real Gemini client against the emulator: Fillflow as its workflow runs a
 * fill (prepareFill, gatherContext, embedContext, planBatches and the workflow's Extraction rounds, then
 * finalizeFill, which teaches field memory), one whole-document call, and one call per field with its top-k
 * passages. The baselines differ from Fillflow only in what they send: every call, theirs included, is the
 * product's extractBatch (prompt, merged passages, schema, answer resolution and grounding). */
import type { FillActivities, GeminiActivities } from '../../src/activities/index.js';
import type { EmbeddingSpace } from '../../src/core/chunk-ref.js';
import { FailureType } from '../../src/core/failure-types.js';
import type { FillInput, FillOptions, FillProgress } from '../../src/core/fill-records.js';
import type { PlannerVersion, PlanOptions } from '../../src/core/plan-batches.js';
import { planFill, planOptionsFor, requestOutputTokens } from '../../src/core/plan-fill.js';
import type { ScarceQuota } from '../../src/core/quota-scarcity.js';
import type { FieldResult, FieldSpec } from '../../src/core/types.js';
import type { Emulator } from '../../src/emulator/index.js';
import { searchFields } from '../../src/retrieval/search-fields.js';
import type { Store } from '../../src/store/store.js';
import { Extraction, failureMessage, failureType } from '../../src/workflows/extraction.js';
import { NEVER_PARKS, waitUntil } from './in-process.js';

export interface DocRun {
  /** generateContent requests the emulator answered for this run (embedding requests are not counted). */
  calls: number;
  promptTokens: number;
  /** Answer tokens, as the emulator counted them. */
  outputTokens: number;
  /**
   * Where every passage sent in a call that asked the field lies in its document (what a model could have
   * read): ranges, not joined text, so overlapping or adjacent passages count as the text they cover.
   */
  context: Map<string, SentRange[]>;
  /** Each field's latest Gemini answer, sources included; a field never asked has none. */
  results: Map<string, FieldResult>;
  /** The fill's notices (e.g. vector search unavailable), as the workflow would report them. */
  notices: string[];
}

export interface SentRange {
  start: number;
  end: number;
}

/** What the strategies run on: one set's store, the emulator, and the product's activities in process. */
export interface Rig {
  store: Store;
  emulator: Emulator;
  /** The `fillflow` queue's activities, with the configured field memory. */
  fill: FillActivities;
  /** The same without field memory: gathering for --warm's first, unscored pass. */
  coldFill: FillActivities;
  /** The `fillflow-gemini` queue's activities. */
  gemini: GeminiActivities;
}

export interface RunSettings {
  templateId: string;
  /** The fill's options, as a fill started with them would carry (batch cap, input and output budgets). */
  options: FillOptions;
  /** Passages per field for the per-field baseline. */
  topK: number;
  /** Hybrid retrieval: embedContext, then vectors fused with BM25. Off: BM25 alone (a fill without vectors). */
  vectors: boolean;
  /** Offer each document's opening passage to every batch (the product always does; --no-openings measures without). */
  openings: boolean;
  /** The wider round for fields not found (the product always runs it; --no-widen measures without). */
  widen: boolean;
  maxChunksPerField?: number;
  coreChunksPerField?: number;
  /** Which planner plans the fill: 1 is the planner before calls were sized by what binds (today's, for comparison). */
  planner: PlannerVersion;
  /** Planner 2: the quota to spare, instead of what the ledger says (the benchmark's ledger limits are unreal). */
  scarce?: ScarceQuota;
  /** Planner 2, neither quota scarce: passages per field beyond its core ones. */
  extraChunksPerField?: number;
  /** Planner 2, neither quota scarce: the agreement past which a field brings no further passages. */
  agreementStop?: number;
  agreedCoreChunks?: number;
  widerChunksPerField?: number;
}

function emptyRun(): DocRun {
  return { calls: 0, promptTokens: 0, outputTokens: 0, context: new Map(), results: new Map(), notices: [] };
}

/** The Gemini activities, noting what each extractBatch sent for which fields and what it answered. */
function recording(rig: Rig, run: DocRun): GeminiActivities {
  return {
    ...rig.gemini,
    extractBatch: async (input) => {
      const ranges = (await rig.store.getChunks(input.chunkIds)).map((c) => ({ start: c.start, end: c.end }));
      for (const key of input.fieldKeys) run.context.set(key, [...(run.context.get(key) ?? []), ...ranges]);
      const out = await rig.gemini.extractBatch(input);
      for (const r of out.fields) run.results.set(r.key, r);
      return out;
    },
  };
}

/** Calls and prompt tokens from the emulator's own log since `rig.emulator.reset()`, as Gemini would bill them. */
function countCalls(rig: Rig, run: DocRun): DocRun {
  for (const r of rig.emulator.requests) {
    if (r.endpoint !== 'generateContent') continue;
    run.calls++;
    run.promptTokens += r.promptTokens;
    run.outputTokens += r.outputTokens ?? 0;
  }
  return run;
}

/**
 * Fillflow: one fill of one document, step for step as fillTemplate runs it: prepareFill (which also costs
 * each field); the product's planning step (planFill: when the document does not ride along whole,
 * embedContext and gatherContext per group of fields, then planBatches); the Extraction rounds (planned batches with their splits, the wider round, the re-ask
 * of invalid values); finalizeFill, which stores the result and teaches field memory the fill's proven
 * quotes. The offline fallback is left out: the benchmark scores what Gemini's rounds answered (the offline
 * extractor is scored on its own). `light` gathers; `finalize` is the fill queue's with field memory on (the
 * --warm pass gathers without memory but still teaches it).
 */
export async function runFillflow(rig: Rig, light: FillActivities, finalize: FillActivities, fillId: string, documents: string | readonly string[], s: RunSettings): Promise<DocRun> {
  rig.emulator.reset();
  const run = emptyRun();
  const input: FillInput = { fillId, templateId: s.templateId, documentIds: typeof documents === 'string' ? [documents] : [...documents], options: s.options };
  const progress: FillProgress = { fillId, phase: 'preparing', fieldsTotal: 0, fieldsDone: 0, batchesTotal: 0, batchesDone: 0, splits: 0, notices: run.notices };
  const notice = (text: string) => {
    if (!progress.notices.includes(text)) progress.notices.push(text);
  };
  const gemini = recording(rig, run);

  const prep = await light.prepareFill({ fillId, templateId: input.templateId, documentIds: input.documentIds, maxInputTokens: input.options.maxInputTokens });
  progress.fieldsTotal = prep.fieldKeys.length;
  progress.phase = 'gathering';
  const planOptions: PlanOptions = {
    ...planOptionsFor(input.options, prep, s.planner),
    ...(s.openings ? {} : { openings: [] }),
    ...(s.maxChunksPerField ? { maxChunksPerField: s.maxChunksPerField } : {}),
    ...(s.coreChunksPerField ? { coreChunksPerField: s.coreChunksPerField } : {}),
    ...(s.planner !== 1 && s.scarce ? { scarce: s.scarce } : {}),
    ...(s.planner !== 1 && s.extraChunksPerField !== undefined ? { extraChunksPerField: s.extraChunksPerField } : {}),
    ...(s.planner !== 1 && s.agreementStop !== undefined ? { agreementStop: s.agreementStop } : {}),
    ...(s.planner !== 1 && s.agreedCoreChunks !== undefined ? { agreedCoreChunks: s.agreedCoreChunks } : {}),
    ...(s.planner !== 1 && s.widerChunksPerField !== undefined ? { widerChunksPerField: s.widerChunksPerField } : {}),
  };
  // The product's planning step: documents that ride along whole need no search; otherwise vectors (when the
  // run uses them) and one gathering of every field's context with them.
  const { planFields, plan } = await planFill(prep, planOptions, {
    embed: async () => {
      if (!s.vectors) return undefined;
      try {
        const { endpoint, model, dimensions } = await gemini.embedContext({ fillId, templateId: input.templateId, documentIds: input.documentIds, fieldKeys: prep.fieldKeys });
        return { endpoint, model, dimensions };
      } catch (err) {
        if (failureType(err) !== FailureType.NotConfigured) {
          notice(`Vector search was unavailable (${failureMessage(err)}); passages were chosen by keyword search (BM25) alone.`);
        }
        return undefined;
      }
    },
    gather: (embedding) =>
      Promise.all(prep.groups.map((fieldKeys) => light.gatherContext({ templateId: input.templateId, documentIds: input.documentIds, fieldKeys, ...(embedding ? { embedding } : {}) }))),
  });
  progress.batchesTotal = plan.batches.length;

  progress.phase = 'extracting';
  const maxOutputTokens = requestOutputTokens(input.options, prep, s.planner);
  const asked = { ...input, options: { ...input.options, maxOutputTokens } };
  const extraction = new Extraction({ input: asked, progress, park: NEVER_PARKS, plan, planFields, planOptions, gemini, light, notice, waitUntil, patched: () => true });
  await extraction.runPlanned();
  if (!plan.wholeDocuments && s.widen) await extraction.widenNotFound();
  await extraction.reaskInvalid();
  extraction.settle();
  run.results = new Map(extraction.results);

  await finalize.finalizeFill({
    fillId,
    templateId: input.templateId,
    fields: prep.fieldKeys.flatMap((k) => extraction.results.get(k) ?? []),
    batches: progress.batchesTotal,
    durationMs: 0,
    notices: progress.notices,
  });
  return countCalls(rig, run);
}

/** Baseline: the whole document and every field in one extractBatch, whatever its size. */
export async function runWholeDocument(rig: Rig, fillId: string, fields: FieldSpec[], documentId: string, s: RunSettings): Promise<DocRun> {
  rig.emulator.reset();
  const run = emptyRun();
  const chunkIds = (await rig.store.listChunks([documentId])).map((c) => c.chunkId);
  try {
    await recording(rig, run).extractBatch({
      fillId,
      templateId: s.templateId,
      batchId: 'whole-document',
      fieldKeys: fields.map((f) => f.key),
      chunkIds,
      maxOutputTokens: s.options.maxOutputTokens,
    });
  } catch {
    // Counted by the in-process runner and printed with the set; the fields stay unanswered.
  }
  return countCalls(rig, run);
}

/** Baseline: one extractBatch per field with its top-k passages, by the same hybrid search without field memory. */
export async function runPerField(rig: Rig, fillId: string, fields: FieldSpec[], documentId: string, s: RunSettings): Promise<DocRun> {
  rig.emulator.reset();
  const run = emptyRun();
  const gemini = recording(rig, run);
  let embeddings: EmbeddingSpace | undefined;
  if (s.vectors) {
    // Stored vectors are reused: this embeds only what Fillflow's fill did not need (a document it sent whole).
    const { endpoint, model, dimensions } = await gemini.embedContext({ fillId, templateId: s.templateId, documentIds: [documentId], fieldKeys: fields.map((f) => f.key) });
    embeddings = { endpoint, model, dimensions };
  }
  const hits = await searchFields(rig.store, fields, [documentId], { topK: s.topK, ...(embeddings ? { embeddings } : {}) });
  for (const f of fields) {
    const chunkIds = [...(hits[f.key] ?? [])].sort((a, b) => a.seq - b.seq).map((c) => c.chunkId);
    if (chunkIds.length === 0) continue;
    try {
      await gemini.extractBatch({ fillId, templateId: s.templateId, batchId: `field-${f.key}`, fieldKeys: [f.key], chunkIds, maxOutputTokens: s.options.maxOutputTokens });
    } catch {
      // Counted by the in-process runner and printed with the set; the field stays unanswered.
    }
  }
  return countCalls(rig, run);
}
