/** @module Plain numbers: "1,234.5", "-3", "12%", and the words zero to twenty ("two (2)"). */
import { dropOverlaps, execAll, parseWhole, type TextMatch } from './text-match.js';

const WORDS = [
  'zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten',
  'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty',
] as const;

// A number touching a letter, a decimal point or a grouping comma is part of something else ("v1.2", "A4",
// "3rd"), and Indian grouping ("1,00,000") is left alone rather than misread.
const DIGITS = /(?<![\w.,-])(-?)(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?!\w|[.,]\d)(\s?%|\s+per\s?cent(?![a-z])|\s+percent(?![a-z]))?/dgi;
// "twenty-one" and "one-off" are not read: a hyphen on either side means a compound we do not spell out.
const WORD = new RegExp(String.raw`(?<![\w-])(${[...WORDS].reverse().join('|')})(?![\w-])(?:\s*\((\d{1,2})\))?`, 'dgi');

/**
 * Every number in `text`. A percentage keeps the number as written ("12%" is 12), since a field that asks
 * for a rate means the figure on the page. A number word followed by the same figure in brackets
 * ("two (2)") is one match; if the two disagree, each is reported on its own.
 */
export function findNumbers(text: string): TextMatch<number>[] {
  const found: TextMatch<number>[] = [];
  for (const m of execAll(DIGITS, text)) {
    const value = Number(`${m[1]}${m[2]!.replace(/,/g, '')}`);
    if (Number.isFinite(value)) found.push({ start: m.index, end: m.index + m[0].length, value });
  }
  for (const m of execAll(WORD, text)) {
    const value = WORDS.indexOf(m[1]!.toLowerCase() as (typeof WORDS)[number]);
    const agrees = m[2] === undefined || Number(m[2]) === value;
    const end = agrees ? m.index + m[0].length : m.indices![1]![1];
    found.push({ start: m.index, end, value });
  }
  return dropOverlaps(found);
}

/**
 * Reads a string that is one number and nothing else; null otherwise.
 * @example parseNumber('1,234.5') // 1234.5
 */
export function parseNumber(s: string): number | null {
  return parseWhole(s, findNumbers);
}
