/** @module Validates a template (the JSON format in docs/formats.md) and says exactly which field breaks which rule. */
import { isLocaleTag } from './locale.js';
import { DATE_ORDERS, type DateOrder } from './parse/date.js';
import { UNPROVEN_POLICIES, type UnprovenPolicy } from './proof-policy.js';
import { FIELD_TYPES, type FieldSpec, type FieldType, type TemplateSpec } from './types.js';

export interface TemplateIssue {
  /** Where the problem is, e.g. `fields[3].type`. */
  path: string;
  message: string;
}

/** A template that breaks the rules; `issues` lists every problem found, not only the first. */
export class TemplateError extends Error {
  readonly issues: TemplateIssue[];
  constructor(issues: TemplateIssue[]) {
    const shown = issues.slice(0, 10).map((i) => `${i.path}: ${i.message}`);
    const more = issues.length > 10 ? [`…and ${issues.length - 10} more`] : [];
    super(`invalid template: ${[...shown, ...more].join('; ')}`);
    this.name = 'TemplateError';
    this.issues = issues;
  }
}

/** The most fields one template may have: beyond this a fill is a bulk job, not a form. */
export const MAX_FIELDS = 500;
/** A template ID: path-safe, so it can name files and URLs. The API's JSON Schemas use the same source. */
export const TEMPLATE_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$';
/** A field key: usable as a JSON Schema property name and a placeholder. */
export const FIELD_KEY_PATTERN = '^[A-Za-z_][A-Za-z0-9_.-]{0,63}$';
const ID = new RegExp(TEMPLATE_ID_PATTERN);
const KEY = new RegExp(FIELD_KEY_PATTERN);
const FIELD_PROPS = new Set(['key', 'label', 'description', 'type', 'required', 'options', 'pattern', 'examples']);
const TEMPLATE_PROPS = new Set(['id', 'name', 'description', 'fields', 'locale', 'dateOrder', 'unproven']);
const PATTERN_TYPES: ReadonlySet<FieldType> = new Set(['string', 'text', 'email', 'phone', 'url', 'enum']);

/**
 * Checks `input` (parsed JSON) against the template format and returns a clean {@link TemplateSpec}.
 * A missing `label` defaults to the key in words and a missing `name` to the id. An optional `locale` (BCP 47)
 * and `dateOrder` (DMY, MDY, YMD) say how the documents write dates and phone numbers.
 * @throws TemplateError naming every field and rule that failed.
 */
export function validateTemplate(input: unknown): TemplateSpec {
  const issues: TemplateIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });

  if (!isRecord(input)) throw new TemplateError([{ path: '$', message: 'a template must be a JSON object' }]);
  for (const k of Object.keys(input)) if (!TEMPLATE_PROPS.has(k)) add(k, `unknown property "${k}"`);

  const id = input.id;
  if (typeof id !== 'string' || !ID.test(id)) {
    add('id', 'required: 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit');
  }
  if (input.name !== undefined && (typeof input.name !== 'string' || input.name.trim() === '')) {
    add('name', 'must be a non-empty string');
  }

  const { locale, dateOrder, unproven } = input;
  if (unproven !== undefined && !(UNPROVEN_POLICIES as readonly unknown[]).includes(unproven)) {
    add('unproven', `${JSON.stringify(unproven)} is not a policy for unproven values (expected "keep" or "invalid")`);
  }
  if (locale !== undefined && (typeof locale !== 'string' || !isLocaleTag(locale))) {
    add('locale', `${JSON.stringify(locale)} is not a BCP 47 locale tag (e.g. "en-GB", "en-US", "de")`);
  }
  if (dateOrder !== undefined && !(DATE_ORDERS as readonly unknown[]).includes(dateOrder)) {
    add('dateOrder', `${JSON.stringify(dateOrder)} is not a date order (expected one of: ${DATE_ORDERS.join(', ')}: DMY reads 03/04/2024 as 3 April, MDY as 4 March)`);
  }

  const fields: FieldSpec[] = [];
  if (!Array.isArray(input.fields)) {
    add('fields', 'required: an array of field objects');
  } else if (input.fields.length === 0) {
    add('fields', 'a template needs at least one field');
  } else if (input.fields.length > MAX_FIELDS) {
    add('fields', `too many fields: ${input.fields.length} (at most ${MAX_FIELDS})`);
  } else {
    const seen = new Map<string, number>();
    input.fields.forEach((raw, i) => {
      const field = validateField(raw, `fields[${i}]`, add);
      if (!field) return;
      const first = seen.get(field.key);
      if (first !== undefined) add(`fields[${i}].key`, `duplicate key "${field.key}" (first used by fields[${first}])`);
      else seen.set(field.key, i);
      fields.push(field);
    });
  }

  if (issues.length > 0) throw new TemplateError(issues);
  const templateId = id as string;
  return {
    id: templateId,
    name: typeof input.name === 'string' ? input.name.trim() : templateId,
    fields,
    ...(typeof locale === 'string' ? { locale: Intl.getCanonicalLocales(locale)[0]! } : {}),
    ...(dateOrder !== undefined ? { dateOrder: dateOrder as DateOrder } : {}),
    ...(unproven !== undefined ? { unproven: unproven as UnprovenPolicy } : {}),
  };
}

function validateField(raw: unknown, at: string, add: (path: string, message: string) => void): FieldSpec | undefined {
  if (!isRecord(raw)) {
    add(at, 'a field must be an object');
    return undefined;
  }
  const before = { count: 0 };
  const fail = (path: string, message: string) => {
    before.count++;
    add(path, message);
  };
  for (const k of Object.keys(raw)) if (!FIELD_PROPS.has(k)) fail(`${at}.${k}`, `unknown property "${k}"`);

  const { key, label, description, type, required, options, pattern, examples } = raw;
  if (typeof key !== 'string' || !KEY.test(key)) {
    fail(`${at}.key`, 'required: 1-64 letters, digits, "_", "." or "-", starting with a letter or "_"');
  }
  if (label !== undefined && (typeof label !== 'string' || label.trim() === '' || label.length > 200)) {
    fail(`${at}.label`, 'must be a non-empty string of at most 200 characters');
  }
  if (description !== undefined && (typeof description !== 'string' || description.length > 2000)) {
    fail(`${at}.description`, 'must be a string of at most 2000 characters');
  }
  const knownType = typeof type === 'string' && (FIELD_TYPES as readonly string[]).includes(type);
  if (!knownType) {
    fail(`${at}.type`, `unknown type ${JSON.stringify(type)} (expected one of: ${FIELD_TYPES.join(', ')})`);
  }
  if (required !== undefined && typeof required !== 'boolean') fail(`${at}.required`, 'must be true or false');

  if (type === 'enum') {
    if (!Array.isArray(options) || options.length === 0) {
      fail(`${at}.options`, 'an enum field needs a non-empty "options" array');
    } else {
      const bad = options.findIndex((o) => typeof o !== 'string' || o.trim() === '');
      if (bad >= 0) fail(`${at}.options[${bad}]`, 'must be a non-empty string');
      else if (new Set(options.map((o: string) => o.trim().toLowerCase())).size !== options.length) {
        fail(`${at}.options`, 'options must be distinct');
      } else if (options.length > 200) fail(`${at}.options`, 'at most 200 options');
    }
  } else if (options !== undefined && knownType) {
    fail(`${at}.options`, `"options" is only for enum fields, not ${String(type)}`);
  }

  if (pattern !== undefined) {
    if (typeof pattern !== 'string' || pattern === '') fail(`${at}.pattern`, 'must be a non-empty string');
    else if (knownType && !PATTERN_TYPES.has(type as FieldType)) {
      fail(`${at}.pattern`, `a pattern applies to text-like types, not ${String(type)}`);
    } else {
      try {
        new RegExp(pattern);
      } catch (e) {
        fail(`${at}.pattern`, `bad pattern: ${(e as Error).message}`);
      }
    }
  }
  if (examples !== undefined) {
    if (!Array.isArray(examples) || examples.some((e) => typeof e !== 'string' && typeof e !== 'number')) {
      fail(`${at}.examples`, 'must be an array of strings');
    } else if (examples.length > 20) fail(`${at}.examples`, 'at most 20 examples');
  }
  if (before.count > 0) return undefined;

  const k = key as string;
  return {
    key: k,
    label: typeof label === 'string' ? label.trim() : keyToWords(k),
    type: type as FieldType,
    ...(typeof description === 'string' && description.trim() !== '' ? { description: description.trim() } : {}),
    ...(required === true ? { required: true } : {}),
    ...(Array.isArray(options) ? { options: options.map((o: string) => o.trim()) } : {}),
    ...(typeof pattern === 'string' ? { pattern } : {}),
    ...(Array.isArray(examples) ? { examples: examples.map(String) } : {}),
  };
}

/** `effective_date` → `Effective date`; `billingAddress` → `Billing address`. */
export function keyToWords(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[_.\-\s]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
