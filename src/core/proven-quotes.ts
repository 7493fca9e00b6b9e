/** @module Which answers of a fill teach field memory: the rule finalizeFill applies and the benchmark measures.
 * Pure. */
import type { FieldResult } from './types.js';

/**
 * A quote a fill proved for one of its template's fields: what field memory keeps (the store's field-memory
 * part takes this record).
 */
export interface RememberedQuote {
  fieldKey: string;
  /** The document the quote was found in: a fill is never steered by quotes of its own documents. */
  documentId: string;
  quote: string;
}

/** Longest quote field memory keeps: a clause, not a page. */
export const MAX_REMEMBERED_QUOTE = 1_000;

/**
 * The quotes of a fill worth searching with in later fills of its template: Gemini's (or the cache's) values
 * whose quote was found in the document as written or up to case and spacing. Fuzzy and ungrounded quotes,
 * offline guesses and fallbacks teach nothing trustworthy, and a one-character quote finds everything.
 */
export function provenQuotes(fields: readonly FieldResult[]): RememberedQuote[] {
  return fields.flatMap((f) =>
    f.status === 'filled' && f.method !== 'offline' && (f.grounding === 'exact' || f.grounding === 'normalized')
      ? f.sources
          .filter((s) => s.quote.trim().length > 1 && s.quote.length <= MAX_REMEMBERED_QUOTE)
          .map((s) => ({ fieldKey: f.key, documentId: s.documentId, quote: s.quote }))
      : [],
  );
}
