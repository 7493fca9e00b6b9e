/** @module extractOffline: the regex and heuristic extractor over each field's passages, marked `fallback`. */
import type { ExtractOfflineInput } from '../core/fill-records.js';
import { valueLocale } from '../core/locale.js';
import { extractOffline as extractFieldOffline } from '../core/offline-extract.js';
import { toPassage } from '../core/to-passage.js';
import type { FieldResult } from '../core/types.js';
import type { FillActivityDeps } from './deps.js';
import { loadFields, loadTemplate } from './load-fields.js';

/** A field without retrieved passages is searched in at most this many passages of the fill's documents. */
const MAX_SCAN_CHUNKS = 2_000;

export function makeExtractOffline({ store }: FillActivityDeps) {
  return async function extractOffline(input: ExtractOfflineInput): Promise<FieldResult[]> {
    const fields = await loadFields(store, input.templateId, input.fields.map((f) => f.key));
    // The template's locale reads numeric dates and national phone numbers; without one they are not guessed.
    const locale = valueLocale(await loadTemplate(store, input.templateId));
    let listed: Awaited<ReturnType<typeof store.listChunks>> | undefined;
    const chunksOf = async () => (listed ??= await store.listChunks(input.documentIds));
    // Each document's opening (its first chunk) goes with every field's passages: a letterhead, a title, the
    // parties and the dating clause live there whatever retrieval ranked, as in the prompt Gemini gets.
    const openings = (await chunksOf()).filter((c) => c.seq === 0).map((c) => c.chunkId);
    const results: FieldResult[] = [];
    for (const [i, field] of fields.entries()) {
      const ask = input.fields[i]!;
      const chunkIds =
        ask.chunkIds.length > 0
          ? [...ask.chunkIds, ...openings.filter((id) => !ask.chunkIds.includes(id))]
          : (await chunksOf()).slice(0, MAX_SCAN_CHUNKS).map((c) => c.chunkId);
      const passages = (await store.getChunks(chunkIds)).map(toPassage);
      const match = extractFieldOffline(field, passages, locale);
      results.push(
        match
          ? {
              key: field.key,
              value: match.value,
              status: 'fallback',
              method: 'offline',
              sources: [match.source],
              confidence: match.confidence,
              reason: ask.because,
            }
          : { key: field.key, value: null, status: 'not_found', method: 'offline', sources: [], reason: ask.because },
      );
    }
    return results;
  };
}
