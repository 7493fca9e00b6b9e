/** @module Splits a document's text into retrieval chunks with exact character offsets and page numbers. */
import { estimateTokens } from '../core/tokens.js';
import type { NewChunk } from '../store/store.js';

/** Options for {@link chunkText}. */
export interface ChunkTextOptions {
  /**
   * Upper bound on each chunk's estimated tokens (see `estimateTokens`).
   * @default 300
   */
  maxTokens?: number;
  /**
   * Up to this many tokens at the end of one chunk are repeated at the start of the next, in whole pieces
   * (sentences, or words inside an overlong sentence), so a value cut by a boundary is whole in one of them.
   * @default 0
   */
  overlapTokens?: number;
}

/** A half-open range `[start, end)` of the document's text. */
interface Span {
  start: number;
  end: number;
}

const PARAGRAPH_BREAK = /\n\s*\n/g;
// A sentence ends at terminal punctuation (with any closing quotes or brackets) before whitespace, after
// CJK full stops even without whitespace, or at a line break, which in lists and forms ends an entry.
const SENTENCE_BREAK = /(?<=[.!?…]["'”’»)\]]*)\s+|(?<=[。！？])\s*|\n/g;
const WORD_BREAK = /\s+/g;

/**
 * Splits `text` into chunks of at most `maxTokens`, on paragraph boundaries first, then sentences, then
 * words, and cuts a single word only when it alone is too long. Form feeds are page breaks: no chunk crosses
 * one, and when the text has any, each chunk's `page` is 1 plus the form feeds before it.
 *
 * Every chunk satisfies `chunk.text === text.slice(chunk.start, chunk.end)`, starts and ends on a
 * non-space character, and is never empty. `seq` counts from 0.
 *
 * @example
 * chunkText('Name: Ada.\n\nDate: 1843-10-01.', { maxTokens: 4 })
 * // [{ seq: 0, start: 0, end: 10, text: 'Name: Ada.', tokens: 3 },
 * //  { seq: 1, start: 12, end: 17, text: 'Date:', tokens: 2 },        the paragraph is too long: cut by words
 * //  { seq: 2, start: 18, end: 29, text: '1843-10-01.', tokens: 4 }]
 */
export function chunkText(text: string, opts: ChunkTextOptions = {}): NewChunk[] {
  const maxTokens = opts.maxTokens ?? 300;
  const overlapTokens = opts.overlapTokens ?? 0;
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new RangeError(`maxTokens must be a positive integer, got ${maxTokens}`);
  }
  if (!Number.isInteger(overlapTokens) || overlapTokens < 0 || overlapTokens >= maxTokens) {
    throw new RangeError(`overlapTokens must be an integer from 0 to maxTokens - 1, got ${overlapTokens}`);
  }

  const fits = (start: number, end: number): boolean => estimateTokens(text.slice(start, end)) <= maxTokens;
  const paged = text.includes('\f');
  const chunks: NewChunk[] = [];
  let page = 1;
  let pageStart = 0;
  while (pageStart <= text.length) {
    const feed = text.indexOf('\f', pageStart);
    const pageEnd = feed === -1 ? text.length : feed;
    const units = splitPage(text, { start: pageStart, end: pageEnd }, fits);
    for (const span of pack(text, units, fits, overlapTokens)) {
      const chunkText = text.slice(span.start, span.end);
      const chunk: NewChunk = {
        seq: chunks.length,
        start: span.start,
        end: span.end,
        text: chunkText,
        tokens: estimateTokens(chunkText),
      };
      if (paged) chunk.page = page;
      chunks.push(chunk);
    }
    if (feed === -1) break;
    pageStart = feed + 1;
    page++;
  }
  return chunks;
}

/** The smallest pieces a page is packed from: whole paragraphs where they fit, finer pieces where not. */
function splitPage(text: string, page: Span, fits: (start: number, end: number) => boolean): Span[] {
  const units: Span[] = [];
  for (const paragraph of splitSpans(text, page, PARAGRAPH_BREAK)) {
    if (fits(paragraph.start, paragraph.end)) {
      units.push(paragraph);
      continue;
    }
    for (const sentence of splitSpans(text, paragraph, SENTENCE_BREAK)) {
      if (fits(sentence.start, sentence.end)) {
        units.push(sentence);
        continue;
      }
      for (const word of splitSpans(text, sentence, WORD_BREAK)) {
        if (fits(word.start, word.end)) units.push(word);
        else units.push(...cutWord(text, word, fits));
      }
    }
  }
  return units;
}

/** The trimmed, non-empty pieces of `span` between matches of `separator` (a global regex). */
function splitSpans(text: string, span: Span, separator: RegExp): Span[] {
  const slice = text.slice(span.start, span.end);
  const pieces: Span[] = [];
  let from = 0;
  const push = (to: number): void => {
    const piece = trim(text, { start: span.start + from, end: span.start + to });
    if (piece) pieces.push(piece);
  };
  for (const match of slice.matchAll(separator)) {
    push(match.index);
    from = match.index + match[0].length;
  }
  push(slice.length);
  return pieces;
}

function trim(text: string, span: Span): Span | undefined {
  let { start, end } = span;
  while (start < end && /\s/.test(text[start] as string)) start++;
  while (end > start && /\s/.test(text[end - 1] as string)) end--;
  return start < end ? { start, end } : undefined;
}

/**
 * Cuts one overlong word (a URL, a base64 blob) into the longest pieces that fit. The piece length is found
 * by doubling then bisecting, so a megabyte-long word costs a few slices per piece rather than one per byte.
 */
function cutWord(text: string, word: Span, fits: (start: number, end: number) => boolean): Span[] {
  const pieces: Span[] = [];
  let start = word.start;
  while (start < word.end) {
    let good = start + 1;
    let bad = word.end + 1;
    for (let step = 1; good + step <= word.end; step *= 2) {
      if (!fits(start, good + step)) {
        bad = good + step;
        break;
      }
      good += step;
    }
    while (bad - good > 1) {
      const mid = (good + bad) >> 1;
      if (fits(start, mid)) good = mid;
      else bad = mid;
    }
    let end = Math.min(good, word.end);
    // Never leave half of a surrogate pair on each side: both pieces would be invalid text.
    if (end < word.end && isHighSurrogate(text.charCodeAt(end - 1))) end = end - 1 > start ? end - 1 : end + 1;
    pieces.push({ start, end });
    start = end;
  }
  return pieces;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Greedily joins consecutive units into chunks that fit, carrying a tail of whole units forward as overlap. */
function pack(
  text: string,
  units: Span[],
  fits: (start: number, end: number) => boolean,
  overlapTokens: number,
): Span[] {
  const chunks: Span[] = [];
  let current: Span[] = [];
  for (const unit of units) {
    const first = current[0];
    if (first === undefined || fits(first.start, unit.end)) {
      current.push(unit);
      continue;
    }
    const last = current[current.length - 1] as Span;
    chunks.push({ start: first.start, end: last.end });
    current = [...overlapTail(text, current, unit, fits, overlapTokens), unit];
  }
  const first = current[0];
  const last = current[current.length - 1];
  if (first && last) chunks.push({ start: first.start, end: last.end });
  return chunks;
}

/**
 * The longest run of trailing units of a finished chunk that stays within `overlapTokens` and still leaves
 * room for `next`. It stops short of the whole chunk, so every chunk adds something new.
 */
function overlapTail(
  text: string,
  units: Span[],
  next: Span,
  fits: (start: number, end: number) => boolean,
  overlapTokens: number,
): Span[] {
  if (overlapTokens === 0) return [];
  const end = (units[units.length - 1] as Span).end;
  let from = units.length;
  for (let i = units.length - 1; i >= 1; i--) {
    const start = (units[i] as Span).start;
    if (estimateTokens(text.slice(start, end)) > overlapTokens || !fits(start, next.end)) break;
    from = i;
  }
  return units.slice(from);
}
