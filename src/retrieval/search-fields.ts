/** @module Retrieval for many fields at once: per field, BM25 and (when embeddings exist) vector search over
 * a fill's documents, fused by reciprocal rank. */
import type { FieldSpec } from '../core/types.js';
import type { ChunkRef, EmbeddingSpace } from '../core/chunk-ref.js';
import type { Store } from '../store/store.js';
import { buildFieldQueries } from './build-field-query.js';
import { reciprocalRankFusion } from './fuse-rankings.js';

/** Options for {@link searchFields}. */
export interface SearchFieldsOptions {
  /**
   * Hits kept per field, best first.
   * @default 8
   */
  topK?: number;
  /**
   * Searches in flight at once. The SQLite store answers synchronously, so there this only orders the work;
   * it bounds the connections a networked store (Postgres) would use for one fill.
   * @default 4
   */
  concurrency?: number;
  /**
   * The space the fill's chunk and query vectors were stored in (by the embedContext activity). Without it,
   * or for a field whose query has no stored vector, retrieval is BM25 alone.
   */
  embeddings?: EmbeddingSpace;
  /**
   * Each list (BM25, vectors) is read this many times deeper than `topK` before fusing, so a chunk ranked
   * modestly by both can still rise above one ranked high by only one.
   * @default 3
   */
  depth?: number;
  /**
   * Quotes earlier fills proved for each field, by field key (the store's `recallQuotes`): each is one more
   * lexical query of the field.
   */
  remembered?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Runs `task` over `items` with at most `limit` calls pending at once; results keep the items' order.
 * The first failure rejects the whole call, and no new task starts after it.
 */
async function mapLimited<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index] as T, index);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/**
 * Searches the documents for each field and returns the hits by field key. Each of the field's queries
 * ({@link buildFieldQueries}) is ranked by BM25, and its whole query also by vector when embeddings exist;
 * several rankings are fused by reciprocal rank, a single one is returned as it is. Every field gets an
 * entry; one with no matching chunk gets `[]`.
 *
 * @example
 * const hits = await searchFields(store, template.fields, documentIds, { topK: 5 });
 * hits['invoice_number']?.[0]?.chunkId
 */
export async function searchFields(
  store: Store,
  fields: FieldSpec[],
  documentIds: string[],
  opts: SearchFieldsOptions = {},
): Promise<Record<string, ChunkRef[]>> {
  const topK = opts.topK ?? 8;
  const concurrency = opts.concurrency ?? 4;
  if (!Number.isInteger(topK) || topK < 1) throw new RangeError(`topK must be a positive integer, got ${topK}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  const queries = fields.map((f) => buildFieldQueries(f, opts.remembered?.[f.key]));
  const space = opts.embeddings;
  // Only the whole query has a vector: embedContext embeds one text per field.
  const vectors = space ? await store.getQueryEmbeddings(space, queries.map((q) => q[0] as string)) : new Map<string, number[]>();
  const deep = topK * (opts.depth ?? 3);
  // One field's searches run one after another, so `concurrency` bounds the searches in flight, not fields.
  const hits = await mapLimited(fields, concurrency, async (_field, i) => {
    const fieldQueries = queries[i] as string[];
    const vector = space ? vectors.get(fieldQueries[0] as string) : undefined;
    if (fieldQueries.length === 1 && (!space || !vector)) return store.searchChunks(fieldQueries[0] as string, documentIds, topK);
    const lists: ChunkRef[][] = [];
    for (const query of fieldQueries) lists.push(await store.searchChunks(query, documentIds, deep));
    // Every ranking has one equal vote, the vector one too. Weighing the vector ranking as much as all the
    // lexical ones together cost CUAD 3 to 7 points of recall with each embedder measured (hashed bags of
    // words, all-MiniLM-L6-v2, all-mpnet-base-v2): it outvoted the label, examples and remembered quotes
    // wherever the field's description is worded unlike its clauses (bench:eval --embedder).
    if (space && vector) lists.push(await store.searchByVector(space, vector, documentIds, deep));
    return reciprocalRankFusion(lists).slice(0, topK);
  });
  const byKey: Record<string, ChunkRef[]> = {};
  fields.forEach((field, i) => {
    byKey[field.key] = hits[i] ?? [];
  });
  return byKey;
}
