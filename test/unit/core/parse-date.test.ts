import { describe, expect, it } from 'vitest';
import { findDates, isAmbiguousDate, isCalendarDate, parseDate, type DateOrder } from '../../../src/core/parse/date.js';

describe('parseDate', () => {
  const reads: [name: string, input: string, iso: string][] = [
    ['ISO', '2010-03-03', '2010-03-03'],
    ['ISO with time and zone', '2010-03-03T09:30:00Z', '2010-03-03'],
    ['month name first', 'March 3, 2010', '2010-03-03'],
    ['month name without comma', 'March 3 2010', '2010-03-03'],
    ['abbreviated month with ordinal', 'Mar. 3rd, 2010', '2010-03-03'],
    ['upper case', 'MARCH 3, 2010', '2010-03-03'],
    ['day first', '3 March 2010', '2010-03-03'],
    ['day first with ordinal and of', '3rd of March, 2010', '2010-03-03'],
    ['legal day-of form', 'the 3rd day of March, 2010', '2010-03-03'],
    ['hyphenated month abbreviation', '03-Mar-2010', '2010-03-03'],
    ['numeric day first when the first number exceeds 12', '13/04/2010', '2010-04-13'],
    ['numeric month first when the second number exceeds 12', '04/13/2010', '2010-04-13'],
    ['day and month equal', '03/03/2010', '2010-03-03'],
    ['dotted with impossible month is month first', '4.13.2010', '2010-04-13'],
    ['year first with slashes', '2010/03/03', '2010-03-03'],
    ['leading weekday', 'Wednesday, March 3, 2010', '2010-03-03'],
    ['trailing full stop and quotes', '"March 3, 2010."', '2010-03-03'],
    ['leap day in a leap year', 'February 29, 2012', '2012-02-29'],
    ['leap day in a 400 year', '2000-02-29', '2000-02-29'],
  ];
  it.each(reads)('%s: %s', (_name, input, iso) => expect(parseDate(input)).toBe(iso));

  const rejects: [name: string, input: string][] = [
    ['relative date', 'next Tuesday'],
    ['month only', 'March 2010'],
    ['30 February', 'February 30, 2010'],
    ['29 February in a common year', '2011-02-29'],
    ['29 February in a century year', '1900-02-29'],
    ['31 April', '31 April 2010'],
    ['month 13 both ways', '13/13/2010'],
    ['day 0', '2010-03-00'],
    ['two-digit year', '03/03/10'],
    ['date with trailing words', 'March 3, 2010 at noon'],
    ['two dates', '2010-03-03 2010-03-04'],
    ['mixed separators', '03/03-2010'],
    ['not a month', 'Marsh 3, 2010'],
    ['empty', ''],
    ['year out of range', '0999-01-01'],
    ['bare number', '20100303'],
    ['day and month both 12 or less, with no date order', '03/04/2010'],
    ['dotted and ambiguous, with no date order', '3.4.2010'],
  ];
  it.each(rejects)('rejects %s: %s', (_name, input) => expect(parseDate(input)).toBeNull());
});

describe('findDates', () => {
  it('finds every date with its span and ISO value', () => {
    const text =
      'This Agreement is made on the 3rd day of March, 2010, and ends 03/03/2013. Renewal notice is due by Feb. 1st, 2013, or the twenty-first day of March, 2013.';
    const found = findDates(text);
    expect(found.map((m) => [text.slice(m.start, m.end), m.value])).toEqual([
      ['the 3rd day of March, 2010', '2010-03-03'],
      ['03/03/2013', '2013-03-03'],
      ['Feb. 1st, 2013', '2013-02-01'],
      ['twenty-first day of March, 2013', '2013-03-21'],
    ]);
  });

  const none: [name: string, text: string][] = [
    ['version numbers', 'Release 1.2.2010.5 of the software'],
    ['a range of numbers', 'items 1/2/3/2010 are listed'],
    ['an impossible date', 'due on 2010-02-30 at the latest'],
    ['month and year only', 'invoiced in March 2010'],
    ['a phone number', 'call 415-555-2671'],
    ['a month word inside another word', 'the Mayor met on 3 Marchant 2010'],
    ['a plain year', 'since 2010'],
    ['an ambiguous numeric date with no date order', 'due 03/04/2024'],
    ['an ordinal word with no day', 'the first quarter of March 2010'],
  ];
  it.each(none)('finds nothing in %s', (_name, text) => expect(findDates(text)).toEqual([]));
});

describe('isCalendarDate', () => {
  const cases: [string, number, number, number, boolean][] = [
    ['ordinary day', 2010, 3, 3, true],
    ['31 December', 2010, 12, 31, true],
    ['31 November', 2010, 11, 31, false],
    ['month zero', 2010, 0, 1, false],
    ['fractional day', 2010, 1, 1.5, false],
  ];
  it.each(cases)('%s', (_name, y, m, d, expected) => expect(isCalendarDate(y, m, d)).toBe(expected));
});

describe('numeric dates by date order', () => {
  // [name, text, dateOrder, expected ISO or null]
  const cases: [name: string, input: string, order: DateOrder | undefined, iso: string | null][] = [
    ['DMY reads day first', '03/04/2024', 'DMY', '2024-04-03'],
    ['MDY reads month first', '03/04/2024', 'MDY', '2024-03-04'],
    ['no order: an ambiguous date is not read', '03/04/2024', undefined, null],
    ['YMD does not settle a day/month-first date', '03/04/2024', 'YMD', null],
    ['DMY with dots', '3.4.2024', 'DMY', '2024-04-03'],
    ['MDY with hyphens', '3-4-2024', 'MDY', '2024-03-04'],
    ['an impossible month settles it whatever the order (DMY)', '04/13/2024', 'DMY', '2024-04-13'],
    ['an impossible month settles it whatever the order (MDY)', '13/04/2024', 'MDY', '2024-04-13'],
    ['no order: an unambiguous date is read', '13/04/2024', undefined, '2024-04-13'],
    ['DMY: 31 February is no date', '31/02/2024', 'DMY', null],
    ['MDY: month 13 both ways is no date', '13/13/2024', 'MDY', null],
    ['written months need no order', '3 April 2024', undefined, '2024-04-03'],
  ];
  it.each(cases)('%s: %s', (_name, input, order, iso) => expect(parseDate(input, order ? { dateOrder: order } : {})).toBe(iso));

  it('an ambiguous date hides no shorter date inside it', () => {
    expect(findDates('signed 03/04/2024 in London')).toEqual([]);
    expect(findDates('signed 03/04/2024 in London', { dateOrder: 'DMY' }).map((m) => m.value)).toEqual(['2024-04-03']);
  });

  const ambiguous: [input: string, expected: boolean][] = [
    ['03/04/2024', true],
    ['3.4.2024', true],
    ['13/04/2024', false],
    ['03/03/2024', false],
    ['2024-03-04', false],
    ['March 4, 2024', false],
    ['31/02/2024', false],
  ];
  it.each(ambiguous)('isAmbiguousDate(%s) is %s', (input, expected) => expect(isAmbiguousDate(input)).toBe(expected));
});
