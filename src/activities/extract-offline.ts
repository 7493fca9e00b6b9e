/** @module extractOffline: the regex and heuristic extractor over each field's passages, marked `fallback`. */
import type { ExtractOfflineInput } from '../core/fill-records.js';
import { extractOffline as extractFieldOffline } from '../core/offline-extract.js';
import type { FieldResult } from '../core/types.js';
import type { FillActivityDeps } from './deps.js';
import { toPassage } from './extract-batch.js';
import { loadFields } from './load-fields.js';

/** A field without retrieved passages is searched in at most this many passages of the fill's documents. */
const MAX_SCAN_CHUNKS = 2_000;

export function makeExtractOffline({ store }: FillActivityDeps) {
  return async function extractOffline(input: ExtractOfflineInput): Promise<FieldResult[]> {
    const fields = await loadFields(store, input.templateId, input.fields.map((f) => f.key));
    let everything: string[] | undefined;
    const results: FieldResult[] = [];
    for (const [i, field] of fields.entries()) {
      const ask = input.fields[i]!;
      let chunkIds = ask.chunkIds;
      if (chunkIds.length === 0) {
        everything ??= (await store.listChunks(input.documentIds)).slice(0, MAX_SCAN_CHUNKS).map((c) => c.chunkId);
        chunkIds = everything;
      }
      const passages = (await store.getChunks(chunkIds)).map(toPassage);
      const match = extractFieldOffline(field, passages);
      results.push(
        match
          ? { key: field.key, value: match.value, status: 'fallback', method: 'offline', sources: [match.source], reason: ask.because }
          : { key: field.key, value: null, status: 'not_found', method: 'offline', sources: [], reason: ask.because },
      );
    }
    return results;
  };
}
