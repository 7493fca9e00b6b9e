/** @module Finds a model's quote in the passages it was shown and turns it into exact document offsets. */
import type { SourceRef } from './types.js';

export interface GroundingPassage {
  documentId: string;
  /** Offset of `text` within the document's stored text. */
  start: number;
  text: string;
  /** Page at `start`, when the document has pages (form feeds mark later ones). */
  page?: number;
}

export type GroundingMatch = 'exact' | 'normalized';

export interface Grounded {
  source: SourceRef;
  match: GroundingMatch;
}

/**
 * Locates `quote` in the passages: exactly first, then ignoring case, spacing and typographic quote and
 * dash variants. The returned `source.quote` is always the document's own text at `start..end`, so it
 * may differ from what the model wrote in those respects. Returns undefined when the quote is not there:
 * the caller must treat the value as ungrounded, never as proven.
 */
export function groundQuote(quote: string, passages: readonly GroundingPassage[]): Grounded | undefined {
  const q = quote.trim();
  if (q === '') return undefined;
  for (const p of passages) {
    const at = p.text.indexOf(q);
    if (at >= 0) return { source: sourceAt(p, at, at + q.length), match: 'exact' };
  }
  const nq = normalize(q).text;
  if (nq === '') return undefined;
  for (const p of passages) {
    const np = normalize(p.text);
    const at = np.text.indexOf(nq);
    if (at >= 0) {
      const start = np.map[at]!;
      const end = np.map[at + nq.length - 1]! + 1;
      return { source: sourceAt(p, start, end), match: 'normalized' };
    }
  }
  return undefined;
}

function sourceAt(p: GroundingPassage, localStart: number, localEnd: number): SourceRef {
  const source: SourceRef = {
    documentId: p.documentId,
    quote: p.text.slice(localStart, localEnd),
    start: p.start + localStart,
    end: p.start + localEnd,
  };
  if (p.page !== undefined) {
    let page = p.page;
    for (let i = 0; i < localStart; i++) if (p.text.charCodeAt(i) === 12) page++;
    source.page = page;
  }
  return source;
}

const FOLD: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u2013': '-',
  '\u2014': '-',
  '\u00a0': ' ',
};

/** Lower-cased text with runs of whitespace as one space, and `map[i]` = original index of char i. */
function normalize(text: string): { text: string; map: number[] } {
  let out = '';
  const map: number[] = [];
  let pendingSpace = false;
  for (let i = 0; i < text.length; i++) {
    const raw = text[i]!;
    const ch = FOLD[raw] ?? raw;
    if (/\s/.test(ch)) {
      pendingSpace = out.length > 0;
      continue;
    }
    if (pendingSpace) {
      out += ' ';
      map.push(i - 1);
      pendingSpace = false;
    }
    // Some letters lower-case to two code units (İ → i̇); each must still map back to i.
    const low = ch.toLowerCase();
    out += low;
    for (let k = 0; k < low.length; k++) map.push(i);
  }
  return { text: out, map };
}
