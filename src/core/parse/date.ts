/** @module Calendar dates in the forms contracts and forms use, read as ISO `YYYY-MM-DD`. */
import { dropOverlaps, execAll, parseWhole, trimEdges, type TextMatch } from './text-match.js';

const MONTHS: Readonly<Record<string, number>> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5,
  jun: 6, june: 6, jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9,
  oct: 10, october: 10, nov: 11, november: 11, dec: 12, december: 12,
};

// Full names before abbreviations, and a letter may not follow, so "Marsh" or "Mayor" is no month.
const MONTH = String.raw`(january|february|march|april|may|june|july|august|september|october|november|december|sept|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec)(?![a-z])\.?`;
const ORDINAL = String.raw`(?:st|nd|rd|th)?`;
// A digit or date separator next to a numeric date means it is part of something longer (a version, a range).
const NUMERIC_BEFORE = String.raw`(?<![\d./-])`;
const NUMERIC_AFTER = String.raw`(?!\d|[./-]\d)`;

const YEAR_FIRST = new RegExp(String.raw`${NUMERIC_BEFORE}(\d{4})([-/.])(\d{1,2})\2(\d{1,2})${NUMERIC_AFTER}`, 'gd');
const DAY_OR_MONTH_FIRST = new RegExp(String.raw`${NUMERIC_BEFORE}(\d{1,2})([-/.])(\d{1,2})\2(\d{4})${NUMERIC_AFTER}`, 'gd');
// "March 3, 2010", "Mar. 3rd, 2010", "MARCH 3 2010"
const MONTH_NAME_FIRST = new RegExp(String.raw`(?<![a-z])${MONTH}\s*(\d{1,2})${ORDINAL}(?!\d)\s*,?\s*(\d{4})(?!\d)`, 'gid');
// "3 March 2010", "3rd of March, 2010", "the 3rd day of March, 2010", "03-Mar-2010"
const DAY_FIRST = new RegExp(
  String.raw`(?<![\w])(?:the\s+)?(\d{1,2})${ORDINAL}(?:\s+day)?(?:\s+of)?(?:\s+|-)${MONTH}(?:,?\s+|-)(?:in\s+the\s+year\s+)?(\d{4})(?!\d)`,
  'gid',
);

/** Whether year, month and day name a real calendar day (no 30 February, 29 February only in leap years). */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) return false;
  if (!Number.isInteger(month) || month < 1 || month > 12) return false;
  return Number.isInteger(day) && day >= 1 && day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function iso(year: number, month: number, day: number): string | null {
  if (!isCalendarDate(year, month, day)) return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * Which of two leading numbers is the month. Slashes and hyphens follow US usage (month first) unless the
 * first number cannot be a month; dots follow the European usage that writes them (day first) unless the
 * second number cannot be a month.
 */
function numericOrder(a: number, b: number, separator: string): { month: number; day: number } {
  if (separator === '.') return b > 12 ? { month: a, day: b } : { month: b, day: a };
  return a > 12 ? { month: b, day: a } : { month: a, day: b };
}

/**
 * Every calendar date in `text`, as ISO `YYYY-MM-DD` with the span it was read from. Month-only dates
 * ("March 2010") and two-digit years are skipped: neither says which day.
 */
export function findDates(text: string): TextMatch<string>[] {
  const found: TextMatch<string>[] = [];
  const add = (m: RegExpExecArray, value: string | null) => {
    if (value !== null) found.push({ start: m.index, end: m.index + m[0].length, value });
  };
  for (const m of execAll(YEAR_FIRST, text)) add(m, iso(Number(m[1]), Number(m[3]), Number(m[4])));
  for (const m of execAll(DAY_OR_MONTH_FIRST, text)) {
    const { month, day } = numericOrder(Number(m[1]), Number(m[3]), m[2]!);
    add(m, iso(Number(m[4]), month, day));
  }
  for (const m of execAll(MONTH_NAME_FIRST, text)) add(m, iso(Number(m[3]), MONTHS[m[1]!.toLowerCase()]!, Number(m[2])));
  for (const m of execAll(DAY_FIRST, text)) add(m, iso(Number(m[3]), MONTHS[m[2]!.toLowerCase()]!, Number(m[1])));
  return dropOverlaps(found);
}

const WEEKDAY_PREFIX = /^(?:mon|tue|tues|wed|wednes|thu|thur|thurs|fri|sat|satur|sun)(?:day)?\.?,?\s+/i;
const ISO_DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Reads a string that is one date and nothing else, as ISO `YYYY-MM-DD`; null otherwise. A leading
 * weekday and an ISO time part are allowed, since models add both.
 * @example parseDate('Mar. 3rd, 2010') // '2010-03-03'
 */
export function parseDate(s: string): string | null {
  const t = trimEdges(s).replace(WEEKDAY_PREFIX, '');
  const withTime = ISO_DATE_TIME.exec(t);
  return parseWhole(withTime ? withTime[1]! : t, findDates);
}
