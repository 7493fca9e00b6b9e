/** @module Layout around a label in a passage: "Label: value" lines, a value on the next line, or prose. */

/** A half-open character range `[start, end)` of a passage's text. */
export interface Span {
  start: number;
  end: number;
}

/**
 * Where one occurrence of a label sits:
 * - `line`: it heads a line, a column or a sentence and is followed by a separator or nothing; `value` is
 *   what the same line gives after the separator up to the next column, or null when that is empty;
 *   `wide` runs on across columns up to the next "Key:" ("[ ] Net 15   [x] Net 30").
 * - `other-key`: it is part of a longer key ("Termination Date:" for the label "Date"), so not ours.
 * - `prose`: anywhere else.
 */
export type LabelPlacement =
  | { kind: 'line'; value: Span | null; wide: Span | null; lineEnd: number }
  | { kind: 'other-key' }
  | { kind: 'prose' };

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Every occurrence of any of `phrases` in `text`, case-insensitive, on word boundaries, with any run of
 * spaces, hyphens or underscores standing for a space, and either apostrophe for an apostrophe. Where
 * occurrences overlap, the leftmost, then longest, is kept.
 */
export function findPhrases(text: string, phrases: readonly string[]): Span[] {
  const spans: Span[] = [];
  for (const phrase of phrases) {
    const words = phrase.trim().split(/[\s_-]+/).filter((w) => w !== '');
    if (words.length === 0) continue;
    const body = words.map((w) => escape(w).replace(/['’]/g, "['’]")).join(String.raw`[\s_-]+`);
    const re = new RegExp(String.raw`(?<![\p{L}\p{N}])${body}(?![\p{L}\p{N}])`, 'giu');
    for (const m of text.matchAll(re)) spans.push({ start: m.index, end: m.index + m[0].length });
  }
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Span[] = [];
  for (const s of spans) if (kept.length === 0 || s.start >= kept[kept.length - 1]!.end) kept.push(s);
  return kept;
}

// What may stand before a label in its line or column: indentation, bullets, list numbering ("1.", "2.1",
// "(a)", "iv)"), quote and heading marks, Markdown emphasis, check boxes.
const LEAD = /^(?:\s|[-*•·▪◦>#|]|\d{1,3}(?:\.\d{1,3})*[.)]?(?=\s)|\(?[a-z]{1,4}[.)](?=\s)|\(\d{1,3}\)|\[\s*[xX✓✔]?\s*\]|[☐☑☒]|\*\*|__)*$/i;
// A column boundary in a form laid out with spaces, tabs or table pipes.
const COLUMN = /\t| {2,}|\|/g;
// Markdown bold around a label ("**Name:**"); a run of underscores is a blank to fill, not emphasis.
const EMPHASIS = String.raw`(?:\s*(?:\*\*(?!\*)|__(?!_)))?`;
const ASIDE = String.raw`(?:\s*\([^()\n]{0,60}\))?`;
const SEPARATOR = new RegExp(String.raw`^${EMPHASIS}${ASIDE}${EMPHASIS}(?:\s*[:：]|\s*\||\t| {2,}|\s+[-–—]\s|\s*[–—])${EMPHASIS}[ \t]*`);
const ALONE = new RegExp(String.raw`^${EMPHASIS}${ASIDE}${EMPHASIS}\s*[:：]?${EMPHASIS}\s*$`);
// The start of a line that is itself "Some Key: ...", which a value never is.
const KEY_LINE = /^\s*(?:[-*•·▪◦>#|]\s*|\d{1,3}(?:\.\d{1,3})*[.)]?\s+)*(?:\*\*|__)?[\p{L}][^:\n]{0,39}[:：](?:\s|$)/u;

function lineBounds(text: string, at: number): Span {
  const start = text.lastIndexOf('\n', at - 1) + 1;
  const nl = text.indexOf('\n', at);
  return { start, end: nl === -1 ? text.length : nl };
}

/** Start of the column holding `at`: just past the last column boundary before it on its line. */
function columnStart(text: string, line: Span, at: number): number {
  let start = line.start;
  for (const m of text.slice(line.start, at).matchAll(COLUMN)) start = line.start + m.index + m[0].length;
  return start;
}

/**
 * Shrinks a span to its text without surrounding whitespace and Markdown emphasis. A blank made of
 * underscores ("________") is kept: it says the form left the value empty.
 */
function tighten(text: string, span: Span): Span | null {
  const strip = (edges: RegExp, trailing: RegExp): Span => {
    const s = text.slice(span.start, span.end);
    const lead = edges.exec(s)?.[0].length ?? 0;
    const trail = trailing.exec(s.slice(lead))?.[0].length ?? 0;
    return { start: span.start + lead, end: span.end - trail };
  };
  const emphasis = strip(/^(?:\s|\*\*|__)+/, /(?:\s|\*\*|__)+$/);
  const tight = emphasis.end > emphasis.start ? emphasis : strip(/^\s+/, /\s+$/);
  return tight.end > tight.start ? tight : null;
}

// A table pipe, or a column gap followed by another "Key:", starts the next cell or pair of the line.
const NEXT_KEY = /\||(?:\t| {2,})\s*(?=(?:\*\*|__)?[\p{L}][^:\n|]{0,39}[:：](?:\s|$))/u;

/** The value after a separator, up to the end of its column (or, when `wide`, up to the next key). */
function valueFrom(text: string, from: number, lineEnd: number, wide = false): Span | null {
  const start = from + (/^[ \t]*/.exec(text.slice(from, lineEnd))?.[0].length ?? 0);
  const boundary = text.slice(start, lineEnd).search(wide ? NEXT_KEY : /\t| {2,}|\|/);
  return tighten(text, { start, end: boundary === -1 ? lineEnd : start + boundary });
}

// A label may also head a sentence on a line of prose: "... for 36 months. Termination Date: ____".
const AFTER_SENTENCE = /^.*[.;!?]\s+/s;

/** Classifies one occurrence of a label; see {@link LabelPlacement}. */
export function placeLabel(text: string, label: Span): LabelPlacement {
  const line = lineBounds(text, label.start);
  const column = columnStart(text, line, label.start);
  const rest = text.slice(label.end, line.end);
  const lead = text.slice(column, label.start);
  if (LEAD.test(lead) || LEAD.test(lead.replace(AFTER_SENTENCE, ''))) {
    const sep = SEPARATOR.exec(rest);
    if (sep) {
      const from = label.end + sep[0].length;
      return { kind: 'line', value: valueFrom(text, from, line.end), wide: valueFrom(text, from, line.end, true), lineEnd: line.end };
    }
    if (ALONE.test(rest)) return { kind: 'line', value: null, wide: null, lineEnd: line.end };
  }
  const colon = text.slice(column, line.end).search(/[:：](?:\s|$)/);
  if (colon !== -1 && column + colon >= label.end && KEY_LINE.test(text.slice(column, line.end))) return { kind: 'other-key' };
  return { kind: 'prose' };
}

/**
 * The next non-blank line after `lineEnd` (one blank line may come between), unless it is a key line
 * itself; up to its first column, or when `wide` up to its first key.
 */
export function nextLineValue(text: string, lineEnd: number, wide = false): Span | null {
  const line = nextContentLine(text, lineEnd, 1);
  if (line === null || KEY_LINE.test(text.slice(line.start, line.end))) return null;
  return valueFrom(text, line.start, line.end, wide);
}

function nextContentLine(text: string, lineEnd: number, blanksAllowed: number): Span | null {
  let at = lineEnd;
  for (let blanks = 0; at < text.length; ) {
    const line = lineBounds(text, at + 1);
    if (line.start <= at) return null;
    if (text.slice(line.start, line.end).trim() !== '') return line;
    if (++blanks > blanksAllowed) return null;
    at = line.end;
  }
  return null;
}

/** The paragraph after `lineEnd`: lines up to a blank line or a key line, as one span. */
export function paragraphAfter(text: string, lineEnd: number): Span | null {
  const first = nextContentLine(text, lineEnd, 1);
  if (first === null || KEY_LINE.test(text.slice(first.start, first.end))) return null;
  let last = first;
  while (last.end < text.length) {
    const next = lineBounds(text, last.end + 1);
    const content = text.slice(next.start, next.end);
    if (content.trim() === '' || KEY_LINE.test(content)) break;
    last = next;
  }
  return tighten(text, { start: first.start, end: last.end });
}

const BULLET = /^\s*(?:[-*•·▪◦]|\d{1,3}[.)]|\(?[a-z]\))\s+/;

/** The items of a bulleted or numbered list starting on the line after `lineEnd`, one span per item. */
export function bulletItems(text: string, lineEnd: number): Span[] {
  const items: Span[] = [];
  let line = nextContentLine(text, lineEnd, 1);
  while (line !== null) {
    const bullet = BULLET.exec(text.slice(line.start, line.end));
    if (!bullet) break;
    const item = tighten(text, { start: line.start + bullet[0].length, end: line.end });
    if (item) items.push(item);
    line = nextContentLine(text, line.end, 0);
  }
  return items;
}

const BOX_BEFORE = /(?:(\[\s*[xX✓✔]\s*\]|[☑☒✓✔])|(\[\s*\]|[☐□]))\s*$/;

/** A check box directly before the label on its line ("☒ Smoker", "[ ] Pets"), ticked or not. */
export function boxBefore(text: string, label: Span): { start: number; checked: boolean } | null {
  const line = lineBounds(text, label.start);
  const before = text.slice(line.start, label.start);
  const m = BOX_BEFORE.exec(before);
  return m ? { start: line.start + m.index, checked: m[1] !== undefined } : null;
}
