/** @module Telephone numbers: international (+44 20 7946 0958), US ((415) 555-2671) and UK (020 7946 0958) forms. */
import { parseDate } from './date.js';
import { dropOverlaps, execAll, trimEdges, type TextMatch } from './text-match.js';

const MIN_DIGITS = 7;
// E.164 caps a full international number at 15 digits.
const MAX_DIGITS = 15;

// In running text a phone number must have a recognisable shape: a leading +, or the US or UK grouping.
// A bare run of digits is as likely an account or invoice number, so it is only read as a whole value.
const INTERNATIONAL = /(?<![\w+])\+\s?\d{1,3}(?:[\s.-]?(?:\(\d{1,4}\)|\d{1,5})){1,6}(?![\d]|[.-]\d)/dg;
const US = /(?<![\w+()-])(?:1[\s.-]?)?(?:\([2-9]\d{2}\)\s?|[2-9]\d{2}[\s.-])\d{3}[\s.-]\d{4}(?![\d]|[.-]\d)/dg;
const UK = /(?<![\w+()-])(?:\(0\d{2,4}\)\s?|0\d{2,4}[\s-])\d{3,4}[\s-]?\d{3,4}(?![\d]|[.-]\d)/dg;

/**
 * Digits with a leading + kept; the UK trunk "(0)" written after a country code is dropped, since it is
 * not dialled from abroad. Null outside 7–15 digits.
 */
function normalise(written: string): string | null {
  const international = written.startsWith('+');
  const digits = (international ? written.replace(/^(\+\s?\d{1,3})\s?\(0\)/, '$1') : written).replace(/\D/g, '');
  if (digits.length < MIN_DIGITS || digits.length > MAX_DIGITS) return null;
  return international ? `+${digits}` : digits;
}

/** Every telephone number in `text`, normalised to its digits with a leading + kept. */
export function findPhones(text: string): TextMatch<string>[] {
  const found: TextMatch<string>[] = [];
  for (const re of [INTERNATIONAL, US, UK]) {
    for (const m of execAll(re, text)) {
      const value = normalise(m[0]);
      if (value !== null) found.push({ start: m.index, end: m.index + m[0].length, value });
    }
  }
  return dropOverlaps(found);
}

/**
 * Reads a string that is one telephone number; null otherwise. Unlike {@link findPhones} any grouping is
 * accepted ("07700900123", "+44.20.7946.0958"), and a leading 00 is read as +; a date is not a phone.
 * @example parsePhone('+44 (0)20 7946 0958') // '+442079460958'
 */
export function parsePhone(s: string): string | null {
  const t = trimEdges(s).replace(/^tel:/i, '');
  if (!/^(?:\+|00)?[\d\s().\-/]+$/.test(t) || parseDate(t) !== null) return null;
  if (count(t, '(') !== count(t, ')')) return null;
  return normalise(t.replace(/^00\s?/, '+'));
}

function count(s: string, ch: string): number {
  return s.split(ch).length - 1;
}
