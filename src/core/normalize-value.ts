/** @module Turns a raw answer (what a model put in JSON) into a field's normalised value, or says why it cannot. */
import { parseBoolean } from './parse/boolean.js';
import { resolveCurrency } from './parse/currency-codes.js';
import { isAmbiguousDate, parseDate, type DateOrder } from './parse/date.js';
import { parseEmail } from './parse/email.js';
import { parseMoney } from './parse/money.js';
import { parseNumber } from './parse/number.js';
import { parsePhone } from './parse/phone.js';
import { parseUrl } from './parse/url.js';
import type { FieldSpec, FieldValue, Money } from './types.js';

export type NormalizeResult = { ok: true; value: FieldValue } | { ok: false; reason: string };

/** What the template or fill says about how its documents write values. */
export interface NormalizeOptions {
  /** How numeric dates are ordered (03/04/2024); without it an ambiguous date is refused, not guessed. */
  dateOrder?: DateOrder;
  /** The region national phone numbers belong to ("GB"); without it they stay national digits. */
  region?: string;
}

/** Answers that mean "the documents do not say", compared lower-cased, single-spaced, without a final dot. */
const MISSING = new Set([
  'n/a', 'n.a', 'na', 'none', 'null', 'nil', 'undefined', 'unknown', 'not found', 'not available',
  'not applicable', 'not provided', 'not specified', 'not stated', 'not mentioned', 'not given',
  'no value', 'no data', 'no information', '-', '--', '—', '–', '?',
]);

const ok = (value: FieldValue): NormalizeResult => ({ ok: true, value });
const invalid = (reason: string): NormalizeResult => ({ ok: false, reason });

/** A raw value as a reason quotes it: strings in quotes and cut short, structures by their kind. */
function show(raw: unknown): string {
  if (typeof raw === 'string') return JSON.stringify(raw.length > 60 ? `${raw.slice(0, 57)}...` : raw);
  if (Array.isArray(raw)) return 'a list';
  if (raw === null) return 'null';
  if (typeof raw === 'object') return 'an object';
  return String(raw);
}

function isMissing(raw: unknown): boolean {
  if (raw === null || raw === undefined) return true;
  if (typeof raw !== 'string') return false;
  const t = raw.trim().toLowerCase().replace(/\s+/g, ' ').replace(/\.$/, '');
  return t === '' || MISSING.has(t);
}

/** Collapses whitespace for one-line text; `text` fields keep their line breaks and paragraphs. */
function cleanText(s: string, multiline: boolean): string {
  if (!multiline) return s.replace(/\s+/g, ' ').trim();
  return s
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[ \t\f\v\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** A string-valued answer may come back as a JSON number (a policy number); nothing else stands for text. */
function asText(raw: unknown): string | null {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  return null;
}

function toNumber(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : null;
  return typeof raw === 'string' ? parseNumber(raw) : null;
}

function toMoney(raw: unknown): Money | string {
  if (typeof raw === 'string') return parseMoney(raw) ?? `expected an amount with a currency, got ${show(raw)}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return `expected an amount with a currency, got ${show(raw)}`;
  }
  const record = raw as Record<string, unknown>;
  const amount = toNumber(record.amount ?? record.value);
  if (amount === null) return `expected a numeric amount, got ${show(record.amount ?? record.value ?? null)}`;
  const written = record.currency;
  if (typeof written !== 'string' || written.trim() === '') return `no currency given for amount ${amount}`;
  const currency = resolveCurrency(written);
  return currency === null ? `${show(written)} is not an ISO 4217 currency code` : { amount, currency };
}

function toList(raw: unknown): string[] | string {
  const items: unknown[] = typeof raw === 'string' ? raw.split(/\r?\n|;/) : Array.isArray(raw) ? raw : [raw];
  const out: string[] = [];
  for (const item of items) {
    if (isMissing(item)) continue;
    const text = typeof item === 'string' ? item : typeof item === 'number' || typeof item === 'boolean' ? String(item) : null;
    if (text === null) return `expected a list of strings, got ${show(item)} in it`;
    // Bullets and numbering are layout, not part of the item.
    const clean = cleanText(text, false).replace(/^(?:[-*•·▪◦]|\d{1,3}[.)])\s+/, '');
    if (clean !== '') out.push(clean);
  }
  return out;
}

const canonical = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();

function matchOption(field: FieldSpec, raw: unknown): NormalizeResult | null {
  const options = field.options ?? [];
  const text = typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : null;
  if (text === null) return null;
  const found = options.find((o) => canonical(o) === canonical(text));
  return found === undefined ? null : ok(found);
}

function byType(field: FieldSpec, raw: unknown, locale: NormalizeOptions): NormalizeResult {
  switch (field.type) {
    case 'string':
    case 'text': {
      const text = asText(raw);
      if (text === null) return invalid(`expected text, got ${show(raw)}`);
      const clean = cleanText(text, field.type === 'text');
      return ok(clean === '' ? null : clean);
    }
    case 'number':
    case 'integer': {
      const n = toNumber(raw);
      if (n === null) return invalid(`expected a number, got ${show(raw)}`);
      if (field.type === 'integer' && !Number.isInteger(n)) return invalid(`expected a whole number, got ${n}`);
      return ok(n);
    }
    case 'money': {
      const money = toMoney(raw);
      return typeof money === 'string' ? invalid(money) : ok(money);
    }
    case 'date': {
      const date = typeof raw === 'string' ? parseDate(raw, locale.dateOrder ? { dateOrder: locale.dateOrder } : {}) : null;
      if (date === null && typeof raw === 'string' && isAmbiguousDate(raw)) {
        return invalid(`${show(raw)} could be read day-first or month-first; give it as YYYY-MM-DD, or set the template's dateOrder`);
      }
      return date === null ? invalid(`expected an ISO date, got ${show(raw)}`) : ok(date);
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return ok(raw);
      if (raw === 0 || raw === 1) return ok(raw === 1);
      const b = typeof raw === 'string' ? parseBoolean(raw) : null;
      return b === null ? invalid(`expected yes or no, got ${show(raw)}`) : ok(b);
    }
    case 'enum': {
      if ((field.options ?? []).length === 0) return invalid('the field lists no options');
      const options = field.options!.map((o) => JSON.stringify(o)).join(', ');
      return matchOption(field, raw) ?? invalid(`expected one of ${options}, got ${show(raw)}`);
    }
    case 'email': {
      const email = typeof raw === 'string' ? parseEmail(raw) : null;
      return email === null ? invalid(`expected an email address, got ${show(raw)}`) : ok(email);
    }
    case 'phone': {
      const text = asText(raw);
      const phone = text === null ? null : parsePhone(text, locale.region ? { region: locale.region } : {});
      return phone === null ? invalid(`expected a phone number of 7 to 15 digits, got ${show(raw)}`) : ok(phone);
    }
    case 'url': {
      const url = typeof raw === 'string' ? parseUrl(raw) : null;
      return url === null ? invalid(`expected an http(s) URL, got ${show(raw)}`) : ok(url);
    }
    case 'list': {
      const list = toList(raw);
      if (typeof list === 'string') return invalid(list);
      return ok(list.length === 0 ? null : list);
    }
  }
}

/**
 * The strings a pattern is checked against: the value itself, each item of a list, a number as written.
 * Money and yes/no have no string form a template author could mean.
 */
function patternSubjects(value: FieldValue): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number') return [String(value)];
  if (Array.isArray(value)) return value;
  return [];
}

function checkPattern(field: FieldSpec, result: NormalizeResult): NormalizeResult {
  if (!result.ok || result.value === null || field.pattern === undefined) return result;
  let re: RegExp;
  try {
    re = new RegExp(field.pattern);
  } catch {
    return invalid(`the field's pattern /${field.pattern}/ is not a valid regular expression`);
  }
  const miss = patternSubjects(result.value).find((s) => !re.test(s));
  return miss === undefined ? result : invalid(`${show(miss)} does not match the pattern /${field.pattern}/`);
}

/**
 * Normalises a raw answer for `field`: "N/A"-like answers and empty values become `null` (not found), a
 * value of the wrong shape becomes `{ ok: false, reason }` with a short, specific reason. The field's
 * `pattern`, when set, is tested unanchored like JSON Schema's `pattern`; anchor it to match the whole value.
 * `options` carry the template's locale: numeric dates are read in its `dateOrder`, national phone numbers
 * in its `region`.
 * @example normalizeValue({ key: 'd', label: 'Date', type: 'date' }, 'March 3, 2010') // { ok: true, value: '2010-03-03' }
 */
export function normalizeValue(field: FieldSpec, raw: unknown, options: NormalizeOptions = {}): NormalizeResult {
  // An enum may list "None" or "N/A" as a real choice; that beats reading it as missing.
  if (field.type === 'enum') {
    const option = matchOption(field, raw);
    if (option) return checkPattern(field, option);
  }
  if (isMissing(raw)) return ok(null);
  return checkPattern(field, byType(field, raw, options));
}
