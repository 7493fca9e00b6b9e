/** @module How text becomes searchable in the Postgres store: chunk text and queries are split into words here,
 * the same way, before Postgres stems them, so both sides meet on the same lexemes and BM25 counts the same
 * words SQLite's FTS5 does (every word, stopwords included, accents folded). */
import { toFtsQuery } from '../sqlite-documents.js';

/**
 * The text search configuration the documents part creates: Postgres' default parser, every word stemmed by
 * Snowball's English stemmer, and no stopword list, like FTS5's `porter` tokenizer (stopwords are dropped from
 * queries, not from the index, so a query of nothing but stopwords still finds something).
 */
export const TEXT_SEARCH_CONFIG = 'fillflow_english';

/** Letters and digits with their accents taken off, as FTS5's `remove_diacritics 2` does. */
function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}

/**
 * The words of a chunk, accents folded, joined by spaces: what `to_tsvector` is given. Splitting here (rather
 * than leaving it to Postgres' parser, which keeps `12.50`, `a@b.com` or `inv-2024` whole) makes chunk and
 * query words the same units FTS5 uses.
 *
 * @example searchableText('Café INV-2024, 12.50') // { text: 'cafe inv 2024 12 50', words: 5 }
 */
export function searchableText(text: string): { text: string; words: number } {
  const words = fold(text).match(/[\p{L}\p{N}]+/gu) ?? [];
  return { text: words.join(' '), words: words.length };
}

/**
 * The words a query searches for: exactly the terms the SQLite store's FTS5 query would OR together (stopwords
 * dropped unless nothing else is left, deduplicated, at most 64), accents folded. Empty when nothing is searchable.
 */
export function queryWords(query: string): string[] {
  const fts = toFtsQuery(query);
  if (fts === undefined) return [];
  const terms = [...fts.matchAll(/"([^"]*)"/g)].map((m) => searchableText(m[1] ?? '').text).filter((t) => t !== '');
  return [...new Set(terms)];
}
