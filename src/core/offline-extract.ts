/** @module The offline extractor: fills one field from its passages with the parsers, layout heuristics and
 * document-convention rules (offline-rules/), no model. */
import type { ValueLocale } from './locale.js';
import { normalizeValue } from './normalize-value.js';
import { applyRules, constrainValue } from './offline-rules/apply-rules.js';
import { fieldIntents, type FieldIntent } from './offline-rules/field-intent.js';
import { findBooleans, parseBoolean } from './parse/boolean.js';
import { findDates } from './parse/date.js';
import { findEmails } from './parse/email.js';
import {
  boxBefore,
  bulletItems,
  findPhrases,
  nextLineValue,
  paragraphAfter,
  placeLabel,
  type Span,
} from './parse/label-line.js';
import { findMoney } from './parse/money.js';
import { chooseOption, findOptions } from './parse/option.js';
import { findNumbers } from './parse/number.js';
import { findPhones } from './parse/phone.js';
import { findPostcodes, parsePostcode } from './parse/postcode.js';
import type { TextMatch } from './parse/text-match.js';
import { findUrls } from './parse/url.js';
import type { FieldSpec, FieldValue, SourceRef } from './types.js';

/** A piece of a document's text; `start` is where `text` begins in the document's full text. */
export interface Passage {
  documentId: string;
  text: string;
  start: number;
  page?: number;
}

/** A value the extractor found, with the document span it was read from. */
export interface OfflineMatch {
  value: FieldValue;
  source: SourceRef;
  /**
   * How sure the extractor is (0..1), from how the value was found: a "Label: value" line or a strong
   * convention (a governing-law clause) is near 0.85, a mention near the label in prose 0.6, the only value
   * of its kind in the passages 0.35. A planner can send values below about 0.6 back to Gemini.
   */
  confidence: number;
}

/** What the template (or fill) says about its documents; see {@link ValueLocale}. */
export type OfflineOptions = ValueLocale;

type Kind =
  | 'string' | 'text' | 'number' | 'money' | 'date' | 'boolean' | 'enum' | 'email' | 'phone' | 'url' | 'list' | 'postcode';

/** Kinds whose written form is distinctive enough to trust with no label nearby, if only one value exists. */
const DISTINCTIVE: ReadonlySet<Kind> = new Set(['email', 'url', 'phone', 'postcode', 'money', 'date']);

// Candidates rank first by how they were found, so a "Label: value" line always beats a nearby mention, and
// a document convention (a dating clause, a governing-law clause) beats a mention near a label.
const LABEL_LINE = 3;
const RULE = 2.5;
const NEAR_LABEL = 2;
const ONLY_ONE = 1;
/** The confidence each way of finding a value earns; a rule's finding carries its own. */
const TIER_CONFIDENCE: Readonly<Record<number, number>> = { [LABEL_LINE]: 0.85, [NEAR_LABEL]: 0.6, [ONLY_ONE]: 0.35 };
/** How far after a label in prose a value may start ("The Effective Date of this Agreement is ..."). */
const PROSE_REACH = 100;
/** How far before a defined term a value may end ("March 3, 2010 (the "Effective Date")"). */
const DEFINED_TERM_REACH = 60;
/** The longest string value taken from the line below a label; longer is a paragraph, not a form entry. */
const BELOW_MAX = 80;
/** Options shorter than this ("A", "No") are too common as words to be recognised in prose. */
const PROSE_OPTION_MIN = 3;

interface Candidate {
  tier: number;
  score: number;
  passage: number;
  span: Span;
  raw: unknown;
  /** Set by rules; other tiers take {@link TIER_CONFIDENCE}. */
  confidence?: number;
}

const POSTCODE_WORDS = /post\s*code|postal\s*code|\bzip\b|zip\s*code|zipcode/i;
const POSTCODE_LABELS = ['postcode', 'post code', 'postal code', 'zip code', 'zip'];

function kindOf(field: FieldSpec): Kind {
  if (field.type === 'integer') return 'number';
  if (field.type === 'string' && (POSTCODE_WORDS.test(field.label) || POSTCODE_WORDS.test(keyWords(field.key)))) return 'postcode';
  return field.type;
}

/** "effective_date", "effectiveDate" and "effective-date" all read "effective date". */
function keyWords(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_.\-\s]+/g, ' ')
    .trim()
    .toLowerCase();
}

/** The phrases that name the field in a document: its label (without asides and markers) and its key's words. */
function labelPhrases(field: FieldSpec, kind: Kind): string[] {
  const label = field.label.replace(/\([^)]*\)/g, ' ').replace(/[:*?]+\s*$/, '').replace(/\s+/g, ' ').trim();
  const phrases = [label, keyWords(field.key), ...(kind === 'postcode' ? POSTCODE_LABELS : [])];
  const seen = new Set<string>();
  return phrases.filter((p) => {
    const k = p.toLowerCase();
    if (k.length < 2 || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const STOPWORDS = new Set(
  `about above after also another been before being between both could date does each either from have into
  more most must only other over same shall should some such than that their them then there these they this
  those under until upon value very were what when where whether which while will with within would your field
  document documents agreement`.split(/\s+/),
);

/** Description words that may tell two candidates apart: four letters or more, not a stopword, not in the label. */
function salientWords(field: FieldSpec, phrases: readonly string[]): string[] {
  const named = new Set(phrases.flatMap((p) => p.toLowerCase().split(/\W+/)));
  const words = (field.description ?? '').toLowerCase().match(/\p{L}{4,}/gu) ?? [];
  return [...new Set(words)].filter((w) => !STOPWORDS.has(w) && !named.has(w));
}

/** How many of the description's words appear on the candidate's own line(s), by prefix ("sign" in "signed"). */
function descriptionHits(text: string, span: Span, words: readonly string[]): number {
  if (words.length === 0) return 0;
  const lineStart = text.lastIndexOf('\n', span.start - 1) + 1;
  const lineEnd = text.indexOf('\n', span.end);
  const near = text.slice(lineStart, lineEnd === -1 ? text.length : lineEnd).toLowerCase();
  const tokens = near.match(/\p{L}+/gu) ?? [];
  return words.filter((w) => tokens.some((t) => t.startsWith(w))).length;
}

/** Finds values of the field's kind in running text; dates and phone numbers as the locale reads them. */
function finderFor(kind: Kind, locale: OfflineOptions = {}): ((text: string) => TextMatch<FieldValue>[]) | null {
  switch (kind) {
    case 'date': return (t) => findDates(t, locale.dateOrder ? { dateOrder: locale.dateOrder } : {});
    case 'money': return findMoney;
    case 'number': return findPlainNumbers;
    case 'email': return findEmails;
    case 'phone': return (t) => findPhones(t, locale.region ? { region: locale.region } : {});
    case 'url': return findUrls;
    case 'postcode': return (t) => findPostcodes(t);
    case 'boolean': return findBooleans;
    default: return null;
  }
}

/** Numbers that are not the digits of a date, phone, address or postcode ("3" in "March 3, 2010"). */
function findPlainNumbers(text: string): TextMatch<number>[] {
  // Dates read in either order, so no digit of a date passes for a number whatever the locale.
  const taken = [...findDates(text, { dateOrder: 'DMY' }), ...findDates(text, { dateOrder: 'MDY' }), ...findPhones(text, { region: 'US' }), ...findPhones(text, { region: 'GB' }), ...findEmails(text), ...findUrls(text), ...findPostcodes(text)];
  return findNumbers(text).filter((n) => !taken.some((t) => n.start < t.end && t.start < n.end));
}

/** A form's blank: underscores, dots or dashes, an empty box, or a template placeholder ("[Name]", "{{name}}"). */
function isPlaceholder(s: string): boolean {
  const t = s.trim();
  return /^[\s_.…\-–—*]*$/.test(t) || /^\[[^\]]*\]$/.test(t) || /^<[^>]*>$/.test(t) || /^\{\{.*\}\}$/.test(t);
}

/** Splits a one-line list: on semicolons if any, else on commas with a final "and"/"&". Null unless 2+ items. */
function splitList(s: string): string[] | null {
  const parts = s.includes(';') ? s.split(';') : s.split(',');
  if (!s.includes(';') && parts.length > 1) parts.push(...parts.pop()!.split(/\s+(?:and|&)\s+/));
  const items = parts.map((p) => p.trim()).filter((p) => p !== '');
  return items.length >= 2 ? items : null;
}

/** A span found in a slice, moved to the coordinates of the text the slice was cut from. */
function shift(span: Span, by: number): Span {
  return { start: span.start + by, end: span.end + by };
}

/** Text between a label and a value that keeps them in one statement: no sentence end, no other key, no paragraph break. */
function sameStatement(gap: string): boolean {
  return !/[.!?;](?:\s|$)|\n\s*\n|[:：]/.test(gap);
}

const DEFINED_TERM_OPEN = /\(\s*(?:(?:hereinafter|herein)\s+(?:referred\s+to\s+as\s+|called\s+)?)?(?:the\s+)?["“'‘]$/i;

/** Where a defined-term parenthesis around the label opens, or -1: `(the "Effective Date")`. */
function definedTermOpen(text: string, label: Span): number {
  const before = text.slice(Math.max(0, label.start - 50), label.start);
  const m = DEFINED_TERM_OPEN.exec(before);
  if (!m || !/^["”'’]/.test(text.slice(label.end))) return -1;
  return label.start - before.length + m.index;
}

interface Scan {
  field: FieldSpec;
  kind: Kind;
  locale: OfflineOptions;
  intents: FieldIntent[];
  phrases: string[];
  salient: string[];
  candidates: Candidate[];
  /**
   * A label line for the field was found but gave no usable value (left blank, "upon signature"): the
   * document answers the field its own way, so an unlabelled value elsewhere is not taken for it.
   */
  settled: boolean;
}

function offer(scan: Scan, passage: number, text: string, tier: number, span: Span, raw: unknown, base = 0): void {
  // A label's value must still be what the field's intent asks for: a place, not the clause after a heading.
  const value = constrainValue(scan.intents, raw);
  if (value === null) return;
  const score = base + 10 * descriptionHits(text, span, scan.salient);
  scan.candidates.push({ tier, score, passage, span, raw: value });
}

/** Reads the value a label line (or the line after it) gives, for the field's kind. */
function readValue(scan: Scan, passage: number, text: string, value: Span, below = false): void {
  const { kind, field } = scan;
  const written = text.slice(value.start, value.end);
  const asWritten = normalizeValue(field, written, scan.locale);
  if (isPlaceholder(written) || (asWritten.ok && asWritten.value === null)) return;
  switch (kind) {
    case 'string':
    case 'text':
      // A value that is itself "Key: ..." means the label had no value of its own.
      if (/^[\p{L}][^:\n]{0,39}:\s/u.test(written)) return;
      // Below a heading comes prose, not a form value: a short line with no sentence break ("months. It")
      // is required; initials and abbreviations ("Jane Q. Doe", "Baker St. London") are no break.
      if (kind === 'string' && below && (written.length > BELOW_MAX || /(?<=\p{Ll}{2})[.!?]\s+\p{Lu}/u.test(written))) return;
      offer(scan, passage, text, LABEL_LINE, value, written);
      return;
    case 'enum': {
      const hit = chooseOption(findOptions(written, field.options ?? []));
      if (hit) offer(scan, passage, text, LABEL_LINE, shift(hit, value.start), hit.value.option);
      return;
    }
    case 'list': {
      const items = splitList(written);
      if (items) offer(scan, passage, text, LABEL_LINE, value, items);
      return;
    }
    case 'boolean': {
      if (parseBoolean(written) !== null) return offer(scan, passage, text, LABEL_LINE, value, written);
      const found = findBooleans(written);
      if (found.length > 0 && found.every((b) => b.value === found[0]!.value)) {
        offer(scan, passage, text, LABEL_LINE, shift(found[0]!, value.start), found[0]!.value);
      }
      return;
    }
    default: {
      if (kind === 'postcode' ? parsePostcode(written) !== null : asWritten.ok) {
        return offer(scan, passage, text, LABEL_LINE, value, kind === 'postcode' ? parsePostcode(written) : written);
      }
      const finder = kind === 'postcode' ? (t: string) => findPostcodes(t, { bareZip: true }) : finderFor(kind, scan.locale)!;
      const first = finder(written)[0];
      if (first) offer(scan, passage, text, LABEL_LINE, shift(first, value.start), first.value);
    }
  }
}

/** Kinds read from a whole line: their values are choices laid out across columns ("[x] Yes   [ ] No"). */
const WIDE: ReadonlySet<Kind> = new Set(['enum', 'boolean', 'list']);

/** The value on the lines after a label that stands alone on its line (or has nothing after its colon). */
function readBelow(scan: Scan, passage: number, text: string, lineEnd: number): void {
  if (scan.kind === 'list') {
    const items = bulletItems(text, lineEnd);
    if (items.length > 0) {
      const span = { start: items[0]!.start, end: items.at(-1)!.end };
      return offer(scan, passage, text, LABEL_LINE, span, items.map((i) => text.slice(i.start, i.end)));
    }
  }
  const value = scan.kind === 'text' ? paragraphAfter(text, lineEnd) : nextLineValue(text, lineEnd, WIDE.has(scan.kind));
  if (value) readValue(scan, passage, text, value, true);
}

/** A value mentioned near the label in running text: after it in the same statement, or before its defined term. */
function readProse(scan: Scan, passage: number, text: string, label: Span, typed: TextMatch<FieldValue>[]): void {
  const { kind, field } = scan;
  if (kind === 'enum') {
    const reach = text.slice(label.end, label.end + PROSE_REACH);
    const options = (field.options ?? []).filter((o) => o.trim().length >= PROSE_OPTION_MIN);
    const hit = chooseOption(findOptions(reach, options).filter((m) => sameStatement(reach.slice(0, m.start))));
    if (hit) offer(scan, passage, text, NEAR_LABEL, shift(hit, label.end), hit.value.option, PROSE_REACH - hit.start);
    return;
  }
  if (kind === 'boolean') {
    // Yes/no words are common in prose; only one that answers the label directly ("Smoker? No") counts.
    const answer = typed.find((b) => b.start >= label.end && /^[\s?:.,)*_\-–—]{0,4}$/.test(text.slice(label.end, b.start)));
    if (answer && !text.slice(label.end, answer.start).includes('\n')) {
      offer(scan, passage, text, NEAR_LABEL, answer, answer.value, PROSE_REACH);
    }
    return;
  }
  const after = typed.find(
    (m) => m.start >= label.end && m.start - label.end <= PROSE_REACH && sameStatement(text.slice(label.end, m.start)),
  );
  if (after) offer(scan, passage, text, NEAR_LABEL, after, after.value, PROSE_REACH - (after.start - label.end));
  const open = definedTermOpen(text, label);
  if (open === -1) return;
  const before = typed.filter((m) => m.end <= open && open - m.end <= DEFINED_TERM_REACH && sameStatement(text.slice(m.end, open))).at(-1);
  if (before) offer(scan, passage, text, NEAR_LABEL, before, before.value, PROSE_REACH - (open - before.end));
}

function scanPassage(scan: Scan, passage: number, text: string): void {
  const finder = finderFor(scan.kind, scan.locale);
  const typed = finder ? finder(text) : [];
  for (const label of findPhrases(text, scan.phrases)) {
    if (scan.kind === 'boolean') {
      const box = boxBefore(text, label);
      if (box) offer(scan, passage, text, LABEL_LINE, { start: box.start, end: label.end }, box.checked);
    }
    const place = placeLabel(text, label);
    if (place.kind === 'line') {
      const before = scan.candidates.length;
      const value = WIDE.has(scan.kind) ? place.wide : place.value;
      if (value) readValue(scan, passage, text, value);
      else readBelow(scan, passage, text, place.lineEnd);
      if (scan.candidates.length === before) scan.settled = true;
    } else if (place.kind === 'prose' && scan.kind !== 'string' && scan.kind !== 'text' && scan.kind !== 'list') {
      readProse(scan, passage, text, label, typed);
    }
  }
}

/** For distinctive kinds with no label in sight: the value, if all the passages hold exactly one. */
function onlyValue(scan: Scan, passages: readonly Passage[]): void {
  const finder = finderFor(scan.kind, scan.locale)!;
  const seen = new Set<string>();
  const values = new Set<string>();
  const found: Candidate[] = [];
  passages.forEach((p, i) => {
    for (const m of finder(p.text)) {
      // Overlapping chunks repeat the same occurrence; it is still one.
      const where = `${p.documentId}\u0000${p.start + m.start}\u0000${p.start + m.end}`;
      if (seen.has(where) || !normalizeValue(scan.field, m.value, scan.locale).ok) continue;
      seen.add(where);
      values.add(JSON.stringify(m.value));
      found.push({ tier: ONLY_ONE, score: 0, passage: i, span: m, raw: m.value });
    }
  });
  if (values.size === 1) scan.candidates.push(found[0]!);
}

// After passage and offset, the longer quote wins: "☒ Authorised signatory" says more than "☒".
function rank(a: Candidate, b: Candidate): number {
  return (
    b.tier - a.tier || b.score - a.score || a.passage - b.passage || a.span.start - b.span.start || b.span.end - a.span.end
  );
}

/**
 * Whether "the only value of its kind in the passages" means anything for this field. Not when the field
 * asks for a particular one of them (the one date in a letter is not thereby its effective date), and not
 * for phone numbers without a region: national numbers are then invisible in running text, so one
 * international number may not be the only number.
 */
function onlyValueSays(kind: Kind, intents: readonly FieldIntent[], locale: OfflineOptions): boolean {
  if (kind === 'phone' && locale.region === undefined) return false;
  return !intents.some((i) => i.kind === 'agreement-date');
}

/**
 * Finds the field's value in `passages` without a model, or returns null. Values come from "Label: value"
 * lines (or a value on the line below its label), then from the document conventions the field's intent
 * calls for (offline-rules/: dating clauses, governing-law clauses, registration numbers, period ends,
 * address postcodes), then from mentions near the label in prose; string, text and list fields only from
 * label lines and rules. With no label in sight, a distinctive kind (email, URL, phone, postcode, money,
 * date) is filled only when the passages hold exactly one value of it (see {@link onlyValueSays}). Every value passes
 * {@link normalizeValue}; ties go to the earlier passage, then the earlier offset. `options` carry the
 * template's locale: without a date order an ambiguous numeric date (03/04/2024) is never read.
 */
export function extractOffline(field: FieldSpec, passages: readonly Passage[], options: OfflineOptions = {}): OfflineMatch | null {
  const kind = kindOf(field);
  const phrases = labelPhrases(field, kind);
  const intents = fieldIntents(field, kind === 'postcode');
  const scan: Scan = { field, kind, locale: options, intents, phrases, salient: salientWords(field, phrases), candidates: [], settled: false };
  passages.forEach((p, i) => scanPassage(scan, i, p.text));
  for (const { passage, match } of applyRules(intents, passages, options.dateOrder)) {
    const span = { start: match.start, end: match.end };
    scan.candidates.push({ tier: RULE, score: Math.round(100 * match.confidence), passage, span, raw: match.value, confidence: match.confidence });
  }
  let best = firstValid(field, scan.candidates, options);
  if (best === null && !scan.settled && DISTINCTIVE.has(kind) && onlyValueSays(kind, intents, options)) {
    scan.candidates = [];
    onlyValue(scan, passages);
    best = firstValid(field, scan.candidates, options);
  }
  if (best === null) return null;
  const { candidate: c, value } = best;
  const p = passages[c.passage]!;
  return {
    value,
    source: {
      documentId: p.documentId,
      quote: p.text.slice(c.span.start, c.span.end),
      start: p.start + c.span.start,
      end: p.start + c.span.end,
      ...(p.page !== undefined ? { page: p.page } : {}),
    },
    confidence: confidenceOf(c, scan.candidates, value),
  };
}

/**
 * The winner's confidence: its rule's, or its tier's; raised a little when another way of finding agrees
 * on the same value (a label line and a clause), lowered when a rival of the same tier disagrees.
 */
function confidenceOf(winner: Candidate, all: readonly Candidate[], value: FieldValue): number {
  const base = winner.confidence ?? TIER_CONFIDENCE[winner.tier] ?? 0.5;
  const same = JSON.stringify(value);
  const agree = all.some((c) => c !== winner && c.tier !== winner.tier && JSON.stringify(c.raw) === same);
  const rival = all.some((c) => c.tier === winner.tier && c.score === winner.score && JSON.stringify(c.raw) !== same);
  const adjusted = base + (agree ? 0.05 : 0) - (rival ? 0.15 : 0);
  return Math.round(100 * Math.min(0.95, Math.max(0.05, adjusted))) / 100;
}

function firstValid(field: FieldSpec, candidates: readonly Candidate[], locale: OfflineOptions): { candidate: Candidate; value: FieldValue } | null {
  for (const candidate of [...candidates].sort(rank)) {
    const normalized = normalizeValue(field, candidate.raw, locale);
    if (normalized.ok && normalized.value !== null) return { candidate, value: normalized.value };
  }
  return null;
}
