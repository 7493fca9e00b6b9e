import { describe, expect, it } from 'vitest';
import { findPeriodEnds } from '../../../../src/core/offline-rules/period-end.js';

const read = (text: string, dateOrder?: 'DMY' | 'MDY') =>
  findPeriodEnds(text, { documentOffset: 0, ...(dateOrder ? { dateOrder } : {}) }).map((m) => [m.rule, m.value, text.slice(m.start, m.end)]);

describe('findPeriodEnds: must match', () => {
  const cases: [name: string, text: string, rule: string, iso: string, quote: string][] = [
    ['year ended', 'Trustees report for the year ended 31 March 2016', 'year-ended', '2016-03-31', '31 March 2016'],
    ['upper case over a line break', 'FOR THE YEAR ENDED\n28th FEBRUARY 2017', 'year-ended', '2017-02-28', '28th FEBRUARY 2017'],
    ['period ending on', 'accounts for the period ending on 30 June 2015', 'year-ended', '2015-06-30', '30 June 2015'],
    ['year end label', 'Year end: 5 April 2018', 'year-ended', '2018-04-05', '5 April 2018'],
    ['a period from … to', 'for the period from 1 April 2015 to 31 March 2016', 'year-ended', '2016-03-31', '31 March 2016'],
    ['balance sheet as at', 'Balance sheet as at 31 December 2016', 'as-at', '2016-12-31', '31 December 2016'],
    ['month first', 'for the fiscal year ended December 31, 2019', 'year-ended', '2019-12-31', 'December 31, 2019'],
    ['numeric with a date order', 'for the year ended 31/03/2016', 'year-ended', '2016-03-31', '31/03/2016'],
  ];
  it.each(cases)('%s', (_name, text, rule, iso, quote) => expect(read(text)).toContainEqual([rule, iso, quote]));
});

describe('findPeriodEnds: must not match', () => {
  const cases: [name: string, text: string][] = [
    ['an approval date', 'Approved by the trustees on 12 October 2016 and signed on their behalf.'],
    ['a lease that ended', 'The lease ended on 31 March 2016.'],
    ['a period start', 'for the period from 1 April 2015'],
    ['a registration date', 'registered as a charity on 18 February 2015'],
    ['an ambiguous numeric date without an order', 'for the year ended 03/04/2016'],
    ['a plain date', '31 March 2016'],
  ];
  it.each(cases)('%s', (_name, text) => expect(read(text)).toEqual([]));
});
