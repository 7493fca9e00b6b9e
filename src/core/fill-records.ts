/** @module The small records that cross Temporal boundaries for a fill: IDs, options, refs, results.
 * Never text: documents and passages stay in the store. */
import type { ChunkRef, EmbeddingSpace } from './chunk-ref.js';
import type { PlanField } from './plan-batches.js';
import type { UnprovenPolicy } from './proof-policy.js';
import type { QuotaScarcity } from './quota-scarcity.js';
import type { FieldResult, FillResult } from './types.js';

/** Per-fill options, merged from config and the caller; no secrets. */
export interface FillOptions {
  maxBatchSize: number;
  maxInputTokens: number;
  maxOutputTokens: number;
  /** Most of this fill's batches in flight at once. @default all of them (the queue and ledger pace them) */
  maxConcurrentBatches?: number;
  /**
   * `interactive` fills run at a higher Temporal task priority on the Gemini queue than `bulk` ones, so a
   * user waiting on one form is not queued behind a 10,000-template job. @default 'interactive'
   */
  priority?: FillPriority;
  /**
   * The fairness key on the Gemini queue: a non-secret tenant identity (the API key's short hash, computed
   * at the edge), so one tenant's backlog does not starve another's. Never the key itself.
   */
  fairnessKey?: string;
  /**
   * When the daily quota runs out: `wait` parks the fill until the next midnight America/Los_Angeles (or a
   * `resume` signal); `fallback` also fills what it can offline at once, and Gemini upgrades those fields
   * after the reset. @default 'wait'
   */
  onQuotaExhausted?: 'wait' | 'fallback';
  /** What a value no passage proves becomes; wins over the template's `unproven`. @default the template's, else 'keep' */
  unproven?: UnprovenPolicy;
  /** Publish status and reset time as search attributes (the edge turns it off on a server without them). @default true */
  searchAttributes?: boolean;
}

export type FillPriority = 'interactive' | 'bulk';

export interface FillInput {
  fillId: string;
  templateId: string;
  documentIds: string[];
  options: FillOptions;
}

export type FillPhase = 'preparing' | 'gathering' | 'extracting' | 'paused-quota' | 'fallback' | 'finalizing' | 'rendering' | 'completed' | 'failed';

/** What the `progress` query answers. */
export interface FillProgress {
  fillId: string;
  phase: FillPhase;
  fieldsTotal: number;
  /** Fields with a final or provisional result so far. */
  fieldsDone: number;
  batchesTotal: number;
  batchesDone: number;
  /** Batches split after a truncated or unparseable answer. */
  splits: number;
  notices: string[];
  /** While `paused-quota`: when the fill resumes by itself (ISO 8601), the quota reset plus this fill's stagger. */
  resumeAt?: string;
  /** Time spent parked on an exhausted daily quota so far (ms). */
  pausedMs?: number;
  /** Fields filled offline while parked (onQuotaExhausted `fallback`), waiting for Gemini to upgrade them. */
  provisionalFields?: number;
  /**
   * While parked with onQuotaExhausted `fallback`: the fields filled offline for now, which Gemini asks again
   * after the reset (their offline values stand only where Gemini then finds nothing better).
   */
  revisitAfterReset?: string[];
}

export interface PrepareFillInput {
  fillId: string;
  templateId: string;
  documentIds: string[];
  maxInputTokens: number;
  /** The API key's identity (FillOptions.fairnessKey): whose quota-ledger bucket tells which quota is scarce. */
  fairnessKey?: string;
}

export interface PrepareFillResult {
  fieldKeys: string[];
  /**
   * Each field's cost in a call (its description and expected answer), without context: enough to decide
   * whether the whole corpus rides along before any retrieval runs.
   */
  fields: PlanField[];
  /** Fields in groups for parallel context gathering. */
  groups: string[][];
  /** Every passage of the fill, only when the whole corpus could fit one call; else empty. */
  corpus: ChunkRef[];
  corpusTokens: number;
  /** The first passage of each document, offered to every retrieval-mode batch (see PlanOptions.openings). */
  openings?: ChunkRef[];
  /** The most tokens one answer of the configured model may hold (absent from fills prepared before planner 2). */
  modelOutputTokens?: number;
  /** Which of the key's quotas binds now, from the quota ledger (absent from fills prepared before planner 2). */
  scarcity?: QuotaScarcity;
}

export interface GatherContextInput {
  templateId: string;
  documentIds: string[];
  fieldKeys: string[];
  /** Set once embedContext has stored the fill's vectors; absent means BM25 alone. */
  embedding?: EmbeddingSpace;
}

export interface EmbedContextInput {
  fillId: string;
  templateId: string;
  documentIds: string[];
  fieldKeys: string[];
}

export interface EmbedContextResult extends EmbeddingSpace {
  chunksEmbedded: number;
  queriesEmbedded: number;
}

export type GatherContextResult = PlanField[];

export interface ExtractBatchInput {
  fillId: string;
  templateId: string;
  batchId: string;
  fieldKeys: string[];
  chunkIds: string[];
  maxOutputTokens: number;
  /** Set after the fill waited out a daily quota (or was resumed): the ledger reopens the day before calling. */
  reopenQuota?: boolean;
  /** The fill's own policy for unproven values; absent, the template's applies. */
  unproven?: UnprovenPolicy;
  /** A re-ask: each field's earlier value and why it was rejected, shown to the model. */
  corrections?: Record<string, string>;
}

export interface ExtractBatchResult {
  batchId: string;
  fields: FieldResult[];
  /** Answered from the cache: no request was sent. */
  cached: boolean;
  /**
   * Fields the answer did not reach (it was cut at MAX_TOKENS after others were complete): `fields` holds
   * only the finished ones, and these are asked again in smaller batches.
   */
  missingKeys?: string[];
}

export interface OfflineFieldInput {
  key: string;
  /** Passages retrieved for the field; empty means search the fill's documents. */
  chunkIds: string[];
  /** Why the offline extractor is asked: carried into the result's reason. */
  because: string;
}

export interface ExtractOfflineInput {
  templateId: string;
  documentIds: string[];
  fields: OfflineFieldInput[];
}

export interface FinalizeFillInput {
  fillId: string;
  templateId: string;
  fields: FieldResult[];
  batches: number;
  durationMs: number;
  notices: string[];
  /** Time parked on an exhausted daily quota (ms). */
  pausedMs?: number;
}

export type FinalizeFillResult = FillResult;

/** Renders the filled document from the result finalizeFill stored; the values are read from the store. */
export interface RenderOutputInput {
  fillId: string;
  templateId: string;
}

export interface RenderOutputResult {
  /** Store reference of the filled document (FillResult.outputRef). */
  outputRef: string;
  /** Values the document could not take as they are (an option a PDF dropdown lacks, a cut text). */
  notices: string[];
}
