/** @module Telephone numbers, parsed and normalised by libphonenumber-js (Google's libphonenumber metadata). */
import { findPhoneNumbersInText, isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { parseDate } from './date.js';
import { trimEdges, type TextMatch } from './text-match.js';

const MIN_DIGITS = 7;
// E.164 caps a full international number at 15 digits.
const MAX_DIGITS = 15;

/** Options of the phone readers. */
export interface PhoneOptions {
  /**
   * The ISO 3166 region national numbers are dialled in ("GB", "US"), from the template's locale. Without it
   * a number written without its country code cannot be placed: it is kept as its national digits when read
   * as a whole value, and not looked for in running text.
   */
  region?: string;
}

function country(region: string | undefined): CountryCode | undefined {
  const r = region?.toUpperCase();
  return r !== undefined && isSupportedCountry(r) ? r : undefined;
}

/**
 * Every telephone number in `text` that the library's metadata says is valid, as E.164 (+442079460958).
 * Numbers with a country code (+44 …) are always found; national ones ((415) 555-2671) only with
 * `options.region`. Dates, amounts and bare account numbers are the library's to tell apart.
 */
export function findPhones(text: string, options: PhoneOptions = {}): TextMatch<string>[] {
  const defaultCountry = country(options.region);
  const found = defaultCountry ? findPhoneNumbersInText(text, { defaultCountry }) : findPhoneNumbersInText(text);
  return found.map((m) => ({ start: m.startsAt, end: m.endsAt, value: m.number.number }));
}

/**
 * Reads a string that is one telephone number; null otherwise. An international number (a leading + or
 * 00), or a national one with `options.region`, is normalised to E.164 when the metadata says it is a
 * valid number of its country (a US number read as British is not). A national number without a region stays its digits ("0117 496 0400" → "01174960400"): which
 * country it belongs to is not guessed. A date is not a phone number.
 * @example parsePhone('+44 (0)20 7946 0958') // '+442079460958'
 * @example parsePhone('020 7946 0958', { region: 'GB' }) // '+442079460958'
 */
export function parsePhone(s: string, options: PhoneOptions = {}): string | null {
  const t = trimEdges(s).replace(/^tel:/i, '');
  // The library reads letters as keypad digits (1-800-FLOWERS) and drops extensions; a value is digits only.
  if (!/^(?:\+|00)?[\d\s().\-/]+$/.test(t) || parseDate(t) !== null) return null;
  if (count(t, '(') !== count(t, ')')) return null;
  const digits = t.replace(/\D/g, '');
  if (digits.length < MIN_DIGITS || digits.length > MAX_DIGITS) return null;
  const international = /^(?:\+|00)/.test(t);
  const defaultCountry = country(options.region);
  if (!international && !defaultCountry) return digits;
  const parsed = parsePhoneNumberFromString(t.replace(/^00\s?/, '+'), defaultCountry ? { defaultCountry } : {});
  return parsed?.isValid() ? parsed.number : null;
}

function count(s: string, ch: string): number {
  return s.split(ch).length - 1;
}
