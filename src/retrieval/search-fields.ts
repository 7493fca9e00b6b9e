/** @module Lexical retrieval for many fields at once: one BM25 search per field over a fill's documents. */
import type { FieldSpec } from '../core/types.js';
import type { ChunkHit, Store } from '../store/store.js';
import { buildFieldQuery } from './build-field-query.js';

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
}

/**
 * Runs `task` over `items` with at most `limit` calls pending at once; results keep the items' order.
 * The first failure rejects the whole call, and no new task starts after it.
 */
async function mapLimited<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index] as T);
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
 * Searches the documents for each field, using {@link buildFieldQuery}, and returns the hits by field key.
 * Every field gets an entry; one with no matching chunk gets `[]`.
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
): Promise<Record<string, ChunkHit[]>> {
  const topK = opts.topK ?? 8;
  const concurrency = opts.concurrency ?? 4;
  if (!Number.isInteger(topK) || topK < 1) throw new RangeError(`topK must be a positive integer, got ${topK}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  const hits = await mapLimited(fields, concurrency, (field) =>
    store.searchChunks(buildFieldQuery(field), documentIds, topK),
  );
  const byKey: Record<string, ChunkHit[]> = {};
  fields.forEach((field, i) => {
    byKey[field.key] = hits[i] ?? [];
  });
  return byKey;
}
