/** @module The small records that cross Temporal boundaries for a fill: IDs, options, refs, results.
 * Never text: documents and passages stay in the store. */
import type { ContextRef, PlanField } from './plan-batches.js';
import type { FieldResult, FillResult } from './types.js';

/** Per-fill options, merged from config and the caller; no secrets. */
export interface FillOptions {
  maxBatchSize: number;
  maxInputTokens: number;
  maxOutputTokens: number;
}

export interface FillInput {
  fillId: string;
  templateId: string;
  documentIds: string[];
  options: FillOptions;
}

export type FillPhase = 'preparing' | 'gathering' | 'extracting' | 'fallback' | 'finalizing' | 'completed' | 'failed';

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
}

export interface PrepareFillInput {
  fillId: string;
  templateId: string;
  documentIds: string[];
  maxInputTokens: number;
}

export interface PrepareFillResult {
  fieldKeys: string[];
  /** Fields in groups for parallel context gathering. */
  groups: string[][];
  /** Every passage of the fill, only when the whole corpus could fit one call; else empty. */
  corpus: ContextRef[];
  corpusTokens: number;
}

export interface GatherContextInput {
  templateId: string;
  documentIds: string[];
  fieldKeys: string[];
}

export type GatherContextResult = PlanField[];

export interface ExtractBatchInput {
  fillId: string;
  templateId: string;
  batchId: string;
  fieldKeys: string[];
  chunkIds: string[];
  maxOutputTokens: number;
}

export interface ExtractBatchResult {
  batchId: string;
  fields: FieldResult[];
  /** Answered from the cache: no request was sent. */
  cached: boolean;
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
}

export type FinalizeFillResult = FillResult;
