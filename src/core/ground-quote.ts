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

export type GroundingMatch = 'exact' | 'normalized' | 'fuzzy';

/** Quotes shorter than this (after normalising) are never matched fuzzily: "5 days" is close to too much. */
const FUZZY_MIN_CHARS = 12;
/** Edits allowed per character of the quote: a misread letter, a dropped comma, a ligature, an OCR slip. */
const FUZZY_MAX_EDIT_RATE = 0.12;
/** Longer quotes are matched on this many leading characters, so the cost stays bounded per quote. */
const FUZZY_MAX_CHARS = 400;

export interface Grounded {
  source: SourceRef;
  match: GroundingMatch;
}

/**
 * Locates `quote` in the passages: exactly first, then ignoring case, spacing and typographic quote and
 * dash variants, then fuzzily (the closest span within about one edit in eight characters, for quotes
 * of 12 characters or more). The returned `source.quote` is always the document's own text at
 * `start..end`, so it may differ from what the model wrote. Returns undefined when the quote is not
 * there: the caller must treat the value as ungrounded, never as proven.
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
  return fuzzyGround(nq, passages);
}

/** The passage span with the fewest edits from the normalised quote, if within the allowed rate. */
function fuzzyGround(nq: string, passages: readonly GroundingPassage[]): Grounded | undefined {
  if (nq.length < FUZZY_MIN_CHARS) return undefined;
  const q = nq.slice(0, FUZZY_MAX_CHARS);
  const allowed = Math.floor(q.length * FUZZY_MAX_EDIT_RATE);
  let best: { p: GroundingPassage; start: number; end: number; cost: number } | undefined;
  for (const p of passages) {
    const np = normalize(p.text);
    const hit = closestSpan(q, np.text);
    // Numbers are where a near miss is a different fact (2024 vs 2025): the digits must agree exactly.
    if (hit && hit.cost <= allowed && (!best || hit.cost < best.cost) && digits(np.text.slice(hit.start, hit.end)) === digits(q)) {
      best = { p, start: np.map[hit.start]!, end: np.map[hit.end - 1]! + 1, cost: hit.cost };
    }
  }
  if (!best) return undefined;
  const g: Grounded = { source: sourceAt(best.p, best.start, best.end), match: 'fuzzy' };
  // Trim spaces the span may have picked up at its edges; the quote must still be the text at start..end.
  const lead = g.source.quote.length - g.source.quote.trimStart().length;
  const trail = g.source.quote.length - g.source.quote.trimEnd().length;
  if (lead > 0 || trail > 0) {
    g.source = sourceAt(best.p, best.start + lead, best.end - trail);
  }
  return g;
}

function digits(s: string): string {
  return s.replace(/\D+/g, ' ').trim();
}

/**
 * Approximate substring match (Sellers 1980): the span of `text` with the least edit distance to `q`,
 * where the span may start anywhere. O(|q|·|text|) time, O(|text|) memory; each cell carries where its
 * alignment started, so the span comes out without a traceback.
 */
function closestSpan(q: string, text: string): { start: number; end: number; cost: number } | undefined {
  const n = text.length;
  if (n === 0) return undefined;
  let prev = new Array<number>(n + 1).fill(0);
  let prevStart = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1);
  let curStart = new Array<number>(n + 1);
  for (let i = 1; i <= q.length; i++) {
    cur[0] = i;
    curStart[0] = 0;
    const qc = q.charCodeAt(i - 1);
    for (let j = 1; j <= n; j++) {
      const sub = prev[j - 1]! + (qc === text.charCodeAt(j - 1) ? 0 : 1);
      const del = prev[j]! + 1;
      const ins = cur[j - 1]! + 1;
      if (sub <= del && sub <= ins) {
        cur[j] = sub;
        curStart[j] = prevStart[j - 1]!;
      } else if (del <= ins) {
        cur[j] = del;
        curStart[j] = prevStart[j]!;
      } else {
        cur[j] = ins;
        curStart[j] = curStart[j - 1]!;
      }
    }
    [prev, cur] = [cur, prev];
    [prevStart, curStart] = [curStart, prevStart];
  }
  let bestEnd = -1;
  for (let j = 1; j <= n; j++) if (bestEnd < 0 || prev[j]! < prev[bestEnd]!) bestEnd = j;
  if (bestEnd < 0) return undefined;
  const start = prevStart[bestEnd]!;
  if (bestEnd <= start) return undefined;
  return { start, end: bestEnd, cost: prev[bestEnd]! };
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
