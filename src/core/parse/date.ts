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

const UNITS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth'];
/** "first" to "thirty-first": index + 1 is the day. */
const ORDINAL_WORDS: readonly string[] = [
  ...UNITS,
  'tenth', 'eleventh', 'twelfth', 'thirteenth', 'fourteenth', 'fifteenth', 'sixteenth', 'seventeenth', 'eighteenth', 'nineteenth',
  'twentieth', ...UNITS.map((u) => `twenty-${u}`),
  'thirtieth', 'thirty-first',
];
// "the first day of January, 2008", "this twenty-first day of March 2010": deeds spell the day out.
const ORDINAL_WORD_DAY = new RegExp(
  String.raw`(?<![\w-])(${[...ORDINAL_WORDS].reverse().map((w) => w.replace('-', '[\s-]')).join('|')})\s+day\s+of\s+${MONTH},?\s+(?:in\s+the\s+year\s+)?(\d{4})(?!\d)`,
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
 * The order a locale writes day, month and year in numeric dates: `DMY` (most of the world: 03/04/2024 is
 * 3 April), `MDY` (the United States: 4 March) or `YMD` (ISO, East Asia).
 */
export type DateOrder = 'DMY' | 'MDY' | 'YMD';

export const DATE_ORDERS: readonly DateOrder[] = ['DMY', 'MDY', 'YMD'];

/** Options of the date readers. */
export interface DateOptions {
  /**
   * How to read a numeric date whose first two numbers could each be the month (03/04/2024). Without it
   * such a date is not read at all: a wrong guess is worse than no value. A date one reading rules out
   * (13/04/2024) is read either way. `YMD` reads day/month-first dates as it would with no order.
   */
  dateOrder?: DateOrder;
}

/**
 * Which of two leading numbers is the month, or null when only the locale could say. Separators carry no
 * weight: slashes, hyphens and dots are each written both ways somewhere.
 */
function numericOrder(a: number, b: number, order: DateOrder | undefined): { month: number; day: number } | null {
  if (a > 12 && b <= 12) return { month: b, day: a };
  if (b > 12 && a <= 12) return { month: a, day: b };
  if (a === b) return { month: a, day: b };
  if (order === 'DMY') return { month: b, day: a };
  if (order === 'MDY') return { month: a, day: b };
  return null;
}

/**
 * Every calendar date in `text`, as ISO `YYYY-MM-DD` with the span it was read from. Month-only dates
 * ("March 2010") and two-digit years are skipped: neither says which day. A numeric date with day and
 * month both 12 or less is read by `options.dateOrder`, and skipped without one.
 */
export function findDates(text: string, options: DateOptions = {}): TextMatch<string>[] {
  const found: TextMatch<string>[] = [];
  const add = (m: RegExpExecArray, value: string | null) => {
    if (value !== null) found.push({ start: m.index, end: m.index + m[0].length, value });
  };
  // An ambiguous numeric date still occupies its span, so no shorter pattern reads part of it.
  const ambiguous: TextMatch<null>[] = [];
  for (const m of execAll(YEAR_FIRST, text)) add(m, iso(Number(m[1]), Number(m[3]), Number(m[4])));
  for (const m of execAll(DAY_OR_MONTH_FIRST, text)) {
    const order = numericOrder(Number(m[1]), Number(m[3]), options.dateOrder);
    if (order === null) ambiguous.push({ start: m.index, end: m.index + m[0].length, value: null });
    else add(m, iso(Number(m[4]), order.month, order.day));
  }
  for (const m of execAll(MONTH_NAME_FIRST, text)) add(m, iso(Number(m[3]), MONTHS[m[1]!.toLowerCase()]!, Number(m[2])));
  for (const m of execAll(DAY_FIRST, text)) add(m, iso(Number(m[3]), MONTHS[m[2]!.toLowerCase()]!, Number(m[1])));
  for (const m of execAll(ORDINAL_WORD_DAY, text)) add(m, iso(Number(m[3]), MONTHS[m[2]!.toLowerCase()]!, ORDINAL_WORDS.indexOf(m[1]!.toLowerCase().replace(/\s+/, '-')) + 1));
  return dropOverlaps<string | null>([...found, ...ambiguous]).filter((m): m is TextMatch<string> => m.value !== null);
}

/**
 * Whether `text` holds a numeric date that only a date order could read (03/04/2024), so a caller can
 * say why no value was taken.
 */
export function isAmbiguousDate(text: string): boolean {
  const m = new RegExp(`^${DAY_OR_MONTH_FIRST.source}$`).exec(trimEdges(text));
  return m !== null && numericOrder(Number(m[1]), Number(m[3]), undefined) === null && iso(Number(m[4]), Number(m[1]), Number(m[3])) !== null;
}

const WEEKDAY_PREFIX = /^(?:mon|tue|tues|wed|wednes|thu|thur|thurs|fri|sat|satur|sun)(?:day)?\.?,?\s+/i;
const ISO_DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Reads a string that is one date and nothing else, as ISO `YYYY-MM-DD`; null otherwise (an ambiguous
 * numeric date without `options.dateOrder` too). A leading weekday and an ISO time part are allowed, since
 * models add both.
 * @example parseDate('Mar. 3rd, 2010') // '2010-03-03'
 */
export function parseDate(s: string, options: DateOptions = {}): string | null {
  const t = trimEdges(s).replace(WEEKDAY_PREFIX, '');
  const withTime = ISO_DATE_TIME.exec(t);
  return parseWhole(withTime ? withTime[1]! : t, (x) => findDates(x, options));
}
