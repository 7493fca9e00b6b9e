/** @module Field memory: the quotes earlier fills of a template proved for each field, kept so later fills can
 * search for passages worded like them. The store methods of this part. A template filled over thousands
 * of contracts learns how its fields are written ("shall not, directly or indirectly, engage in…") where
 * its label and description use other words ("restricted from competing"). */

/** A quote a fill proved for one of its template's fields. */
export interface RememberedQuote {
  fieldKey: string;
  /** The document the quote was found in: a fill is never steered by quotes of its own documents. */
  documentId: string;
  quote: string;
}

/**
 * Whose memory: a template's, as taught by answers from one endpoint. Quotes an emulator's answers proved
 * never steer a fill answered by Google's API, or the reverse.
 */
export interface MemoryScope {
  templateId: string;
  /** `gemini` or a base URL (see src/core/endpoint.ts). */
  endpoint: string;
}

export interface FieldMemoryStore {
  /**
   * Keeps quotes for a template's fields, newest first; a quote kept already is refreshed, and each field keeps
   * at most {@link QUOTES_KEPT_PER_FIELD}.
   */
  rememberQuotes(scope: MemoryScope, quotes: RememberedQuote[]): Promise<void>;
  /**
   * The quotes a fill of `documentIds` searches with, by field key: the newest `perField` quotes from other
   * documents. The first fill of a set of documents fixes its choice, so filling the same documents again
   * retrieves and plans exactly as before (and is answered from the cache) however much was learnt since.
   */
  recallQuotes(scope: MemoryScope, fieldKeys: string[], documentIds: string[], perField: number): Promise<Record<string, string[]>>;
}

/** Quotes kept per template field; what a fill uses is the newest few of them. */
export const QUOTES_KEPT_PER_FIELD = 64;
