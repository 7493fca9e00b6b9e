/** @module One batch's request, built one way for every route: the fields, the passages (touching chunks
 * merged), the prompt, the response schema and the answer-cache key. extractBatch sends it; the bulk routes
 * build the same request ahead of a row's fill, so the answer they cache is the one the fill looks up. */
import { createHash } from 'node:crypto';
import { buildPrompt, type ExtractionPrompt } from '../core/build-prompt.js';
import { buildResponseSchema } from '../core/build-response-schema.js';
import type { GroundingPassage } from '../core/ground-quote.js';
import { mergePassages, type SourceSpan } from '../core/merge-passages.js';
import { toPassage } from '../core/to-passage.js';
import { estimateTokens } from '../core/tokens.js';
import type { FieldSpec } from '../core/types.js';
import type { Chunk, Store } from '../store/store.js';
import { loadFields } from './load-fields.js';

export interface BatchRequest {
  fields: FieldSpec[];
  /** What the answer's quotes are grounded in. */
  passages: GroundingPassage[];
  prompt: ExtractionPrompt;
  schema: Record<string, unknown>;
  /** The answer cache's key: the same endpoint, model, prompt and schema get the same answer. */
  cacheKey: string;
  /** Prompt tokens the quota ledger reserves before the real count is known. */
  estimatedTokens: number;
}

export interface BatchRequestInput {
  templateId: string;
  fieldKeys: readonly string[];
  chunkIds: string[];
  corrections?: Readonly<Record<string, string>>;
}

/** Builds the request of one batch for the endpoint and model that will answer it. */
export async function buildBatchRequest(store: Store, target: { endpoint: string; model: string }, input: BatchRequestInput): Promise<BatchRequest> {
  const fields = await loadFields(store, input.templateId, input.fieldKeys);
  // Touching chunks go as one passage: a clause cut by a chunk boundary reads, and grounds, as one quote.
  const passages = (await mergeTouching(store, await store.getChunks(input.chunkIds))).map(toPassage);
  const prompt = buildPrompt(fields, await promptPassages(store, passages), input.corrections);
  const schema = buildResponseSchema(fields);
  return {
    fields,
    passages,
    prompt,
    schema,
    cacheKey: answerCacheKey(target.endpoint, target.model, prompt.systemInstruction, prompt.userText, schema),
    estimatedTokens: estimateTokens(prompt.systemInstruction) + estimateTokens(prompt.userText) + estimateTokens(JSON.stringify(schema)),
  };
}

/** The cache key is the request itself, with the endpoint and model that answer it. */
export function answerCacheKey(endpoint: string, model: string, system: string, user: string, schema: unknown): string {
  return createHash('sha256').update(JSON.stringify([endpoint, model, system, user, schema])).digest('hex');
}

/** The batch's chunks with those that touch in their document (overlap, or only whitespace between) merged. */
async function mergeTouching(store: Store, chunks: Chunk[]): Promise<SourceSpan[]> {
  const texts = new Map<string, string | undefined>();
  for (const c of chunks) if (!texts.has(c.documentId)) texts.set(c.documentId, await store.getDocumentText(c.documentId));
  return mergePassages(chunks, (id) => texts.get(id));
}

/** Each passage with its document's name, which the prompt's legend shows once per document. */
async function promptPassages(store: Store, passages: readonly { documentId: string; text: string }[]) {
  const names = new Map<string, string>();
  for (const p of passages) {
    if (!names.has(p.documentId)) names.set(p.documentId, (await store.getDocument(p.documentId))?.name ?? p.documentId);
  }
  return passages.map((p) => ({ documentName: names.get(p.documentId)!, text: p.text }));
}
