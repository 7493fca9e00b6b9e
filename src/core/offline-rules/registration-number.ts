/** @module Registration numbers announced by their register: "Registered charity number: 1234567", "Company
 * No. 09347608", "VAT reg no GB 123 4567 89", "registered as a charity (number 1160558)". */
import { execAll } from '../parse/text-match.js';
import type { RuleMatch } from './rule-match.js';

export interface RegistrationOptions {
  /** Words naming the register, lower case ("charity", "company", "vat", "ein"). */
  registers: readonly string[];
  /** When the value is digits only: how many. Null takes any identifier with at least four digits. */
  digits: { min: number; max: number } | null;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// "number", "no.", "nos", "No:", "#", "num." and the commonest OCR slips of "number" ("numher", "nunber").
const NUMBER_WORD = String.raw`(?:n[uo][mn][bhl]?[e3c]r|nos?\.?|n°|num\.?|#)`;
// What may stand between a register's name and its number word: "registered", "registration", "reg.", a place.
const BETWEEN = String.raw`(?:[\s,:-]+(?:registered|registration|reg\.?|commission|(?:in|for)\s+england(?:\s+and\s+wales)?|(?:in|for)\s+scotland))*[\s,:-]*`;
// An identifier: an optional letter prefix (GB, SC) and digits, grouped by single spaces or hyphens.
const IDENTIFIER = String.raw`((?:[A-Z]{1,3}[\s-]?)?\d(?:[\d]|[ -](?=\d)){3,17})(?![\d\p{L}])`;

/** The identifier as the value gives it: digits only when the field asks for digits, else as written. */
function shape(written: string, digits: RegistrationOptions['digits']): string | null {
  // The patterns ignore case for the words around the number; a register's letter prefix is upper case.
  if (/\p{Ll}/u.test(written)) return null;
  if (digits === null) return written.replace(/\s+/g, ' ');
  if (/\p{L}/u.test(written)) return null;
  const value = written.replace(/\D/g, '');
  return value.length >= digits.min && value.length <= digits.max ? value : null;
}

/**
 * Every identifier in `text` announced by one of `options.registers`:
 * - `label` (0.85): the register's name, then a number word, then the identifier ("Charity No: 504310",
 *   "Registered Charity number\n250030", "Company registered number 2073465");
 * - `aside` (0.7): the register's name, then the identifier in brackets nearby ("registered as a charity in
 *   England and Wales (number 1160558)").
 * A number announced by another register ("Company No. 3303791" for a charity number) is not read, and
 * neither is one of the wrong length or kind for the field.
 */
export function findRegistrationNumbers(text: string, options: RegistrationOptions): RuleMatch<string>[] {
  if (options.registers.length === 0) return [];
  const register = `(?:${options.registers.map((r) => escape(r).replace(/\s+/g, String.raw`\s+`)).join('|')})`;
  const label = new RegExp(String.raw`(?<![\p{L}])${register}${BETWEEN}${NUMBER_WORD}[\s:.#-]*(?:is\s+)?${IDENTIFIER}`, 'giud');
  const aside = new RegExp(String.raw`(?<![\p{L}])${register}\b[^().;]{0,60}\(\s*(?:${NUMBER_WORD}\s*[:.]?\s*)?${IDENTIFIER}\s*\)`, 'giud');
  const found: RuleMatch<string>[] = [];
  for (const [re, confidence, rule] of [[label, 0.85, 'label'], [aside, 0.7, 'aside']] as const) {
    for (const m of execAll(re, text)) {
      const value = shape(m[1]!, options.digits);
      if (value === null) continue;
      found.push({ start: m.indices![1]![0], end: m.indices![1]![1], value, confidence, rule });
    }
  }
  return found;
}

/**
 * The identifier a label line gives ("519332", "No. 504310", "GB 123 4567 89"), shaped for the field as
 * {@link findRegistrationNumbers} shapes it; null when the text holds none of the right kind.
 */
export function identifierValue(written: string, digits: RegistrationOptions['digits']): string | null {
  const m = new RegExp(String.raw`^[\s:#.]*(?:${NUMBER_WORD}[\s:.#-]*)?${IDENTIFIER}[\s.]*$`, 'iu').exec(written);
  return m ? shape(m[1]!, digits) : null;
}
