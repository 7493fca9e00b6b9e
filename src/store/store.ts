/** @module The one storage interface: documents, chunks, templates, fills, the answer cache and usage events.
 * SQLite implements it for the embedded default; a Postgres implementation can take its place for clusters. */
import type { ChunkRef } from '../core/chunk-ref.js';
import type { AnsweredBy } from '../core/endpoint.js';
import type { FillResult, TemplateSpec } from '../core/types.js';
import type { BulkStore } from './bulk-store.js';
import type { EmbeddingStore } from './embedding-store.js';
import type { FieldMemoryStore } from './field-memory-store.js';
import type { OutputStore } from './output-store.js';
import type { QuotaLedgerStore } from './quota-ledger-store.js';

export interface DocumentRecord {
  /** sha256 (hex) of the document's extracted text: ingesting the same text twice stores it once. */
  id: string;
  name: string;
  mimeType: string;
  /** Characters of `text`. */
  length: number;
  createdAt: string;
}

export interface Chunk {
  id: string;
  documentId: string;
  /** Position of the chunk within its document, from 0. */
  seq: number;
  /** Character offsets into the document's text: `text === documentText.slice(start, end)`. */
  start: number;
  end: number;
  page?: number;
  text: string;
  tokens: number;
}

export interface NewChunk {
  seq: number;
  start: number;
  end: number;
  page?: number;
  text: string;
  tokens: number;
}

/**
 * What the store keeps of a fill: its inputs, and its result once finalised. Its status is Temporal's (the
 * workflow's state and the FillflowStatus search attribute); the store never tracks it.
 */
export interface FillRecord {
  fillId: string;
  templateId: string;
  documentIds: string[];
  createdAt: string;
  updatedAt: string;
  /** Written once, by finalizeFill; the render step adds only `outputRef`. */
  result?: FillResult;
}

/** One thing that happened at the Gemini boundary, counted where it happened. */
export interface UsageEvent {
  fillId: string;
  batchId: string;
  kind: 'api_call' | 'cache_hit' | 'rate_limited' | 'retry' | 'error' | 'quota_wait' | 'parked' | 'unproven';
  /** The endpoint the request went to (or the cached answer came from): `gemini` or a base URL. Absent for `parked`. */
  endpoint?: string;
  /** The model asked (the embedding model for embedding requests). Absent for `parked`. */
  model?: string;
  /** For rate_limited: the quota kind (per-minute, per-day, ...); for error: the error type; for quota_wait and parked: the ms waited. */
  detail?: string;
  promptTokens?: number;
  outputTokens?: number;
  fields?: number;
  at?: string;
}

export interface UsageTotals {
  apiCalls: number;
  cacheHits: number;
  promptTokens: number;
  outputTokens: number;
  rateLimited: number;
  rateLimitedByKind: Record<string, number>;
  retries: number;
  errors: number;
  /** Fields asked in requests that were sent, summed. */
  fieldsAsked: number;
  /** Time calls waited for the quota ledger to grant them, summed (ms). */
  quotaWaitMs: number;
  /** Time fills spent parked on an exhausted daily quota, summed (ms). */
  parkedMs: number;
  /** Filled values no passage proves, summed over fills (each fill records its count once, as it finalises). */
  unproven: number;
}

export interface EndpointUsage extends AnsweredBy {
  apiCalls: number;
  cacheHits: number;
  promptTokens: number;
  outputTokens: number;
}

export interface CachedAnswer {
  text: string;
  promptTokens: number;
  outputTokens: number;
  finishReason: string;
}

/** The core tables here; each part (embeddings, outputs, quota ledger, field memory, bulks) declares its own methods in its own file. */
export interface Store extends EmbeddingStore, OutputStore, QuotaLedgerStore, FieldMemoryStore, BulkStore {
  /** Stores a document and its chunks atomically; a document already stored (same id) is left as it is. */
  putDocument(doc: { name: string; mimeType: string; text: string }, chunks: NewChunk[]): Promise<DocumentRecord>;
  getDocument(id: string): Promise<DocumentRecord | undefined>;
  getDocumentText(id: string): Promise<string | undefined>;
  listDocuments(): Promise<DocumentRecord[]>;
  /** Chunks by id, in the order asked; unknown ids are skipped. */
  getChunks(ids: string[]): Promise<Chunk[]>;
  /** Every chunk of the documents, as hits with score 0, in document then position order. */
  listChunks(documentIds: string[]): Promise<ChunkRef[]>;
  /** BM25 over the chunks of the given documents, best first. */
  searchChunks(query: string, documentIds: string[], limit: number): Promise<ChunkRef[]>;

  putTemplate(spec: TemplateSpec): Promise<void>;
  getTemplate(id: string): Promise<TemplateSpec | undefined>;
  listTemplates(): Promise<{ id: string; name: string; fields: number }[]>;

  /** Records a fill's inputs; idempotent (a fill already recorded is left as it is). */
  createFill(fill: { fillId: string; templateId: string; documentIds: string[] }): Promise<void>;
  /**
   * Stores the fill's result, once: a second call (a retried finalizeFill) leaves the first result and
   * returns it. @throws when the fill was never recorded
   */
  putFillResult(fillId: string, result: FillResult): Promise<FillResult>;
  /** Adds the rendered document's reference to the stored result. @throws when no result is stored */
  setFillOutputRef(fillId: string, outputRef: string): Promise<void>;
  getFill(fillId: string): Promise<FillRecord | undefined>;

  cacheGet(key: string): Promise<CachedAnswer | undefined>;
  cachePut(key: string, answer: CachedAnswer): Promise<void>;
  cacheSize(): Promise<number>;

  recordUsage(event: UsageEvent): Promise<void>;
  /** Totals over every fill, or one fill's. */
  usageTotals(fillId?: string): Promise<UsageTotals>;
  /**
   * The endpoint and model that answered most of a fill's fields (requests answered, or cache hits);
   * undefined when none did (no key, or every field filled offline).
   */
  usageAnsweredBy(fillId: string): Promise<AnsweredBy | undefined>;
  /**
   * Requests and cache hits per endpoint and model, over every fill or one fill's: what `fillflow stats` shows.
   * Events recorded without an endpoint or model (before they were recorded) count under `unknown`, so the
   * rows add up to {@link usageTotals}' calls, cache hits and tokens.
   */
  usageByEndpoint(fillId?: string): Promise<EndpointUsage[]>;

  close(): Promise<void>;
}
