/** @module What a field asks for, read from what it says about itself (type, label, key, description,
 * examples), so the offline extractor knows which document conventions can answer it. */
import type { FieldSpec } from '../types.js';

/**
 * A document convention that can answer a field:
 * - `governing-law`: the place whose law governs ("governed by the laws of the State of New York").
 * - `agreement-date`: the date a document is made or takes effect; `prefer` says which statement comes
 *   first when a document makes both ("made as of …" versus "effective as of …").
 * - `period-end`: the closing date of a reporting period ("for the year ended 31 March 2016").
 * - `registration-number`: an identifier announced by its register ("Charity number: 1234567");
 *   `registers` are the words naming it, `digits` the length range when the value is digits only.
 * - `address-postcode`: the postcode of the subject's own address (under "Registered office", in a letterhead).
 */
export type FieldIntent =
  | { kind: 'governing-law' }
  | { kind: 'agreement-date'; prefer: 'effective' | 'made' }
  | { kind: 'period-end' }
  | { kind: 'registration-number'; registers: string[]; digits: { min: number; max: number } | null }
  | { kind: 'address-postcode' };

/** The field's own words, lower case: label, key (split into words), description. */
export function fieldWords(field: FieldSpec): string {
  const key = field.key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_.\-]+/g, ' ');
  return `${field.label} ${key} ${field.description ?? ''}`.toLowerCase().replace(/\s+/g, ' ');
}

/** The field's name only (label and key), lower case: what it is called, not what it is about. */
function nameWords(field: FieldSpec): string {
  const key = field.key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_.\-]+/g, ' ');
  return `${field.label} ${key}`.toLowerCase().replace(/\s+/g, ' ');
}

const TEXTUAL = new Set<FieldSpec['type']>(['string', 'text', 'enum']);

const GOVERNING_LAW = /\bgoverning\s+law\b|\bgoverned\s+by\b|\bwhose\s+laws?\s+govern|\blaws?\b.{0,30}\bgovern|\bjurisdiction\b|\bchoice\s+of\s+law\b|\bapplicable\s+law\b|\bproper\s+law\b/;

// A date that ends or limits something, or belongs to a person or a payment, is not when a document takes effect.
const NOT_COMMENCEMENT = /\b(?:expir\w*|terminat\w*|end|ends|ended|ending|renew\w*|birth|born|due|deadline|notice|report\w*|period|incorporat\w*|closing|delivery|payment|paid|invoice|retire\w*|death|filing|filed|submission|maturity)\b/;
const EFFECTIVE = /\b(?:effective|effect|commenc\w*|start\w*|begin\w*|binding|inception)\b/;
const MADE = /\b(?:dated|made|signed|sign|execut\w*|entered|concluded)\b|\bdate\s+of\s+(?:the|this)\s+(?:agreement|contract|letter|deed)\b|\b(?:agreement|contract)\s+date\b/;

const PERIOD_END =
  /\breport(?:ing)?\s+date\b|\bperiod\s+end|\byear[\s-]end|\bend\s+of\s+the\s+(?:\w+\s+)?(?:year|period)\b|\bbalance\s+sheet\s+date\b|\baccounting\s+(?:reference\s+)?date\b|\bfinancial\s+year\s+end/;

/** Registers a number may be announced by, each with the other words documents use for it. */
const REGISTERS: ReadonlyArray<readonly [RegExp, string[]]> = [
  [/\bcharit(?:y|able)\b/, ['charity']],
  [/\bcompany\b|\bcompanies\s+house\b|\bcrn\b/, ['company', 'companies house']],
  [/\bvat\b|\bvalue\s+added\s+tax\b/, ['vat']],
  [/\bein\b|\bfein\b|\bemployer\s+identification\b/, ['ein', 'fein', 'employer identification', 'federal tax id', 'federal tax identification']],
  [/\btax\s+(?:id|identification|reference)\b|\btin\b|\butr\b/, ['tax id', 'tax identification', 'tin', 'utr', 'tax reference']],
  [/\babn\b|\bacn\b/, ['abn', 'acn']],
];
const NUMBER_WORDS = /\b(?:number|no|num|id|identifier|code|registration|reg)\b/;

/** "(6-7 digits)", "7 digits", "6 to 8 digits" in the description, else the examples' lengths. */
function digitShape(field: FieldSpec): { min: number; max: number } | null {
  const d = field.description ?? '';
  const range = /(\d{1,2})\s*(?:-|–|to)\s*(\d{1,2})\s+digits/i.exec(d);
  if (range) return { min: Number(range[1]), max: Number(range[2]) };
  const one = /(\d{1,2})\s+digits/i.exec(d);
  if (one) return { min: Number(one[1]), max: Number(one[1]) };
  const examples = (field.examples ?? []).map((e) => e.trim()).filter((e) => e !== '');
  if (examples.length > 0 && examples.every((e) => /^\d+$/.test(e))) {
    const lengths = examples.map((e) => e.length);
    return { min: Math.max(1, Math.min(...lengths) - 1), max: Math.max(...lengths) + 1 };
  }
  if (/\bdigits\s+only\b|\bonly\s+digits\b/i.test(d)) return { min: 1, max: 20 };
  return null;
}

/**
 * The conventions that can answer `field`, most specific first; empty when none applies and the
 * extractor relies on labels alone. Decided by type first (a date rule never answers a string field),
 * then by the words the field is named and described with.
 */
export function fieldIntents(field: FieldSpec, isPostcode: boolean): FieldIntent[] {
  const words = fieldWords(field);
  const name = nameWords(field);
  const intents: FieldIntent[] = [];
  if (field.type === 'date') {
    if (PERIOD_END.test(words)) intents.push({ kind: 'period-end' });
    else if (!NOT_COMMENCEMENT.test(words) && (EFFECTIVE.test(words) || MADE.test(words))) {
      intents.push({ kind: 'agreement-date', prefer: EFFECTIVE.test(words) ? 'effective' : 'made' });
    }
  }
  if (TEXTUAL.has(field.type) && GOVERNING_LAW.test(words)) intents.push({ kind: 'governing-law' });
  if ((field.type === 'string' || field.type === 'number' || field.type === 'integer') && NUMBER_WORDS.test(name)) {
    const registers = REGISTERS.filter(([re]) => re.test(name)).flatMap(([, w]) => w);
    if (registers.length > 0) intents.push({ kind: 'registration-number', registers, digits: digitShape(field) });
  }
  // Every postcode belongs to an address; the rule looks for the one under an address label or in a letterhead.
  if (isPostcode) intents.push({ kind: 'address-postcode' });
  return intents;
}
