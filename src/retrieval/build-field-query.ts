/** @module Builds the lexical search query that finds the passages a template field's value lives in. */
import type { FieldSpec } from '../core/types.js';

/**
 * Splits an identifier into words: `invoice_number`, `invoiceNumber`, `invoice-number` and `INVOICENumber`
 * all give `invoice number`, and digits stand apart (`vat2Rate` gives `vat 2 rate`).
 */
export function splitKey(key: string): string[] {
  return key
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2')
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1 $2')
    .replace(/(\p{L})(\p{N})|(\p{N})(\p{L})/gu, (_m, l1?: string, n1?: string, n2?: string, l2?: string) =>
      l1 !== undefined ? `${l1} ${n1}` : `${n2} ${l2}`,
    )
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '')
    .map((word) => word.toLowerCase());
}

/**
 * The words a field's value is likely to appear near: its label, the words of its key, its description and
 * its examples, each word once (first spelling kept), in that order. The store turns this into a safe
 * BM25 query, dropping stopwords and punctuation, so nothing here needs escaping.
 *
 * @example
 * buildFieldQuery({ key: 'invoiceNumber', label: 'Invoice no.', type: 'string', examples: ['INV-001'] })
 * // 'Invoice no number INV 001'
 */
export function buildFieldQuery(field: FieldSpec): string {
  return uniqueWords([field.label, splitKey(field.key).join(' '), field.description ?? '', ...(field.examples ?? [])]);
}

/**
 * The queries a field is searched with, each ranked on its own and fused by reciprocal rank: the whole query
 * ({@link buildFieldQuery}, always first), then its label with its key's words, its description, its
 * examples, and the quotes earlier fills of the template proved for it (field memory, newest first). In one
 * long OR query the description's many words outvote the label's few, and common words ("party", "date")
 * pull in every passage that repeats them; searched apart, a passage that the label alone or the example
 * alone ranks first still reaches the top of the fused list. A remembered quote finds clauses written the
 * way this kind of document writes them, which a description in other words cannot. Empty and repeated
 * queries (the same words in any order) are left out, so a field with a label only is searched once.
 *
 * @example
 * buildFieldQueries({ key: 'due_date', label: 'Due date', type: 'date', description: 'when payment is due' })
 * // ['Due date when payment is', 'Due date', 'when payment is due']
 */
export function buildFieldQueries(field: FieldSpec, remembered: readonly string[] = []): string[] {
  const candidates = [
    buildFieldQuery(field),
    uniqueWords([field.label, splitKey(field.key).join(' ')]),
    uniqueWords([field.description ?? '']),
    uniqueWords(field.examples ?? []),
    ...remembered.map((quote) => uniqueWords([quote])),
  ];
  const seen = new Set<string>();
  return candidates.filter((query) => {
    const key = query.toLowerCase().split(' ').sort().join(' ');
    if (query === '' || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The words of `parts`, each once (first spelling kept), in order, separated by single spaces. */
function uniqueWords(parts: string[]): string {
  const seen = new Set<string>();
  const words: string[] = [];
  for (const word of parts.join(' ').match(/[\p{L}\p{N}\p{M}]+/gu) ?? []) {
    const folded = word.toLowerCase();
    if (seen.has(folded)) continue;
    seen.add(folded);
    words.push(word);
  }
  return words.join(' ');
}
