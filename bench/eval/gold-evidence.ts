/** @module What counts as finding a gold value: the strings that prove it is in a context (retrieval
 * recall), the quote the oracle looks for, and whether a filled value equals the gold one. */
import type { FieldValue } from '../../src/core/types.js';
import type { EvalDocument, EvalField, GoldValue } from './datasets.js';

/** Lower case, punctuation as space, whitespace collapsed; `map[i]` is the source index of output char i. */
export function fold(text: string): { text: string; map: number[] } {
  let out = '';
  const map: number[] = [];
  let space = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!.toLowerCase();
    if (/[\p{L}\p{N}]/u.test(ch)) {
      if (space && out.length > 0) {
        out += ' ';
        map.push(i - 1);
      }
      space = false;
      out += ch;
      map.push(i);
    } else space = true;
  }
  return { text: out, map };
}

/** Whitespace collapsed: how CUAD evidence pieces occur in the text. */
export const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve',
  'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty'];

/** Patterns over folded text for the ways a document writes an ISO date. */
function datePatterns(iso: string): RegExp[] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return [];
  const [y, mo, d] = [m[1]!, Number(m[2]), Number(m[3])];
  const mon = MONTHS[mo - 1]!;
  const monRe = `(?:${mon}|${mon.slice(0, 3)})`;
  const dRe = `0?${d}(?: ?(?:st|nd|rd|th))?`;
  return [
    new RegExp(`\\b${monRe} ${dRe} ${y}\\b`),
    new RegExp(`\\b${dRe} (?:day )?(?:of )?${monRe} ${y}\\b`),
    new RegExp(`\\b0?${mo} 0?${d} (?:${y}|${y.slice(2)})\\b`),
    new RegExp(`\\b${y} 0?${mo} 0?${d}\\b`),
  ];
}

/** "3 years" as a document writes it: "3 years", "three years", "three (3) years", "3-year". */
function termPatterns(value: string): RegExp[] {
  const m = /^(\d+)\s+(\w+?)s?$/.exec(value.trim().toLowerCase());
  if (!m) return [];
  const n = Number(m[1]);
  const word = NUMBER_WORDS[n];
  const num = word ? `(?:${word}|${n})` : `${n}`;
  return [new RegExp(`\\b${num}(?: ${n})? ${m[2]}s?\\b`)];
}

function moneyPatterns(value: string): RegExp[] {
  const n = Number(value);
  if (!Number.isFinite(n)) return [];
  const whole = Math.round(n);
  const grouped = whole.toLocaleString('en-GB');
  const esc = (s: string) => s.replace(/[.,]/g, (c) => `\\${c}`);
  return [new RegExp(`(?<![\\d,.])(?:${esc(grouped)}|${whole})(?:\\.${(n % 1).toFixed(2).slice(2)})?(?![\\d,])`)];
}

/** Where a gold value (not a CUAD span) occurs in the raw text, as [start, end). */
export function locateValue(field: EvalField, value: string, text: string): [number, number] | undefined {
  if (field.match === 'money') {
    for (const re of moneyPatterns(value)) {
      const hit = re.exec(text);
      if (hit) return [hit.index, hit.index + hit[0].length];
    }
    return undefined;
  }
  const folded = fold(text);
  const patterns =
    field.match === 'date' ? datePatterns(value) : /^\d+\s+\w+$/.test(value.trim()) ? [...termPatterns(value), literal(value)] : [literal(value)];
  for (const re of patterns) {
    const hit = re.exec(folded.text);
    if (hit && hit[0].length > 0) return [folded.map[hit.index]!, folded.map[hit.index + hit[0].length - 1]! + 1];
  }
  return undefined;
}

function literal(value: string): RegExp {
  const f = fold(value).text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?:^|\\b)${f}(?:\\b|$)`);
}

export interface FieldEvidence {
  /** Strings, each of which must be in a field's context for it to count as retrieved (per span). */
  spans: string[][];
  /** What the oracle emulator looks for in the prompt before it answers. */
  quote: string | null;
}

/**
 * CUAD: each evidence span (all its pieces). Other sets: each gold value located in the text, in the
 * document's own words. A null gold value (a decoy) has no evidence; a value that cannot be located is
 * reported as such, not guessed.
 */
export function evidenceFor(doc: EvalDocument, field: EvalField): FieldEvidence | 'unlocatable' | null {
  const gold = doc.gold[field.name];
  if (gold === null || gold === undefined) return null;
  const spans = doc.evidence[field.name];
  if (spans && spans.length > 0) {
    const pieces = spans.map((s) => s.split('<omitted>').map(squash).filter((p) => p !== ''));
    return { spans: pieces, quote: pieces[0]?.[0] ?? null };
  }
  if (field.type === 'enum') return { spans: [], quote: null };
  const values = Array.isArray(gold) ? gold : [gold];
  const found: string[][] = [];
  for (const v of values) {
    const at = locateValue(field, v, doc.text);
    if (!at) return 'unlocatable';
    found.push([squash(doc.text.slice(at[0], at[1]))]);
  }
  return { spans: found, quote: found[0]?.[0] ?? null };
}

/**
 * The text a model could read from passages sent as `ranges` of `text`: overlapping ranges, and ranges
 * separated only by whitespace, are read as one stretch (a span cut by a chunk boundary, with both chunks
 * sent, is in the context); separate stretches are joined by a blank line.
 */
export function coveredText(text: string, ranges: readonly { start: number; end: number }[]): string {
  const sorted = [...ranges].sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: { start: number; end: number }[] = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last && (r.start <= last.end || /^\s*$/.test(text.slice(last.end, r.start)))) last.end = Math.max(last.end, r.end);
    else merged.push({ ...r });
  }
  return merged.map((r) => text.slice(r.start, r.end)).join('\n\n');
}

/** Is every piece of the span in the context (whitespace- and case-insensitive)? */
export function spanInContext(span: string[], context: string): boolean {
  const c = squash(context).toLowerCase();
  return span.every((piece) => c.includes(piece.toLowerCase()));
}

const textKey = (s: string) => fold(s).text;

function same(field: EvalField, gold: string, got: unknown): boolean {
  if (got === null || got === undefined) return false;
  const g = String(got);
  switch (field.match) {
    case 'date':
      return g === gold;
    case 'money':
      return Math.abs(Number(g) - Number(gold)) < 0.005;
    case 'exact':
      return g.trim() === gold.trim();
    case 'postcode':
      return g.replace(/\s+/g, '').toUpperCase() === gold.replace(/\s+/g, '').toUpperCase();
    default:
      return textKey(g) === textKey(gold);
  }
}

function matches(field: EvalField, gold: GoldValue, value: FieldValue): boolean {
  if (gold === null) return value === null || (Array.isArray(value) && value.length === 0);
  if (Array.isArray(gold)) {
    if (!Array.isArray(value) || value.length !== gold.length) return false;
    return gold.every((g, i) => same(field, g, value[i]));
  }
  return same(field, gold, Array.isArray(value) ? value[0] : value);
}

/** A fill equal to the gold or (kleister-nda) to its alternative normalisation is correct. */
export function isCorrect(field: EvalField, doc: EvalDocument, value: FieldValue): boolean {
  const gold = doc.gold[field.name] ?? null;
  if (matches(field, gold, value)) return true;
  const alt = doc.alt[field.name];
  return alt !== undefined && matches(field, alt, value);
}
