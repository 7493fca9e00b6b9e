import { describe, expect, it } from 'vitest';
import { findPhones, parsePhone } from '../../../src/core/parse/phone.js';

describe('parsePhone', () => {
  const reads: [name: string, input: string, value: string][] = [
    ['UK international with trunk zero', '+44 (0)20 7946 0958', '+442079460958'],
    ['US international', '+1 (415) 555-2671', '+14155552671'],
    ['US national stays national digits with no region', '(415) 555-2671', '4155552671'],
    ['US dotted', '415.555.2671', '4155552671'],
    ['UK national stays national digits with no region', '020 7946 0958', '02079460958'],
    ['UK mobile unspaced', '07700900123', '07700900123'],
    ['00 international prefix', '0044 20 7946 0958', '+442079460958'],
    ['tel: prefix', 'tel:+14155552671', '+14155552671'],
    ['seven digits', '555-2671', '5552671'],
  ];
  it.each(reads)('%s: %s', (_name, input, value) => expect(parsePhone(input)).toBe(value));

  const rejects: [name: string, input: string][] = [
    ['too short', '555-267'],
    ['too long', '+1234567890123456'],
    ['a date', '2010-03-03'],
    ['letters', '1-800-FLOWERS'],
    ['an extension', '415-555-2671 ext. 12'],
    ['unbalanced bracket', '(415 555-2671'],
    ['grouped thousands', '1,234,567'],
    ['empty', ''],
    ['plus alone', '+'],
    ['two numbers', '415-555-2671 or 415-555-2672'],
    ['an international number no country has', '+999 1234 5678'],
  ];
  it.each(rejects)('rejects %s: %s', (_name, input) => expect(parsePhone(input)).toBeNull());
});

describe('parsePhone with a region (libphonenumber-js)', () => {
  const cases: [name: string, input: string, region: string, value: string | null][] = [
    ['UK national to E.164', '020 7946 0958', 'GB', '+442079460958'],
    ['UK national with brackets', '(0117) 496 0400', 'GB', '+441174960400'],
    ['US national to E.164', '(415) 555-2671', 'US', '+14155552671'],
    ['US with trunk 1', '1-415-555-2671', 'US', '+14155552671'],
    ['an international number ignores the region', '+44 20 7946 0958', 'US', '+442079460958'],
    ['a region in lower case', '020 7946 0958', 'gb', '+442079460958'],
    ['a US number is not valid as British', '(415) 555-2671', 'GB', null],
    ['a UK number is not valid as American', '020 7946 0958', 'US', null],
    ['an unknown region leaves the number national', '020 7946 0958', 'ZZ', '02079460958'],
    ['too few digits for the region', '555-2671', 'GB', null],
  ];
  it.each(cases)('%s: %s (%s)', (_name, input, region, value) => expect(parsePhone(input, { region })).toBe(value));
});

describe('findPhones', () => {
  const text = 'Tel: +44 (0)20 7946 0958; US office (415) 555-2671; London 020 7946 0958; toll-free 1-800-555-0199.';
  const spans = (region?: string) => findPhones(text, region ? { region } : {}).map((m) => [text.slice(m.start, m.end), m.value]);

  it('finds only numbers with a country code when no region is given', () => {
    expect(spans()).toEqual([['+44 (0)20 7946 0958', '+442079460958']]);
  });

  it('finds the region\'s national numbers too, as E.164', () => {
    expect(spans('US')).toEqual([
      ['+44 (0)20 7946 0958', '+442079460958'],
      ['(415) 555-2671', '+14155552671'],
      ['1-800-555-0199', '+18005550199'],
    ]);
    expect(spans('GB')).toEqual([
      ['+44 (0)20 7946 0958', '+442079460958'],
      ['020 7946 0958', '+442079460958'],
    ]);
  });

  const none: [name: string, text: string][] = [
    ['dates', 'signed 2010-03-03 and 03/03/2010'],
    ['a bare run of digits', 'account 0123456789 and invoice 12345678'],
    ['money and decimals', '$1,200.50 and 3.14159'],
    ['a signed percentage', 'up +5% on last year'],
    ['a short international-looking figure', '+12.5 points'],
  ];
  it.each(none)('finds nothing in %s', (_name, t) => {
    expect(findPhones(t)).toEqual([]);
    expect(findPhones(t, { region: 'US' })).toEqual([]);
    expect(findPhones(t, { region: 'GB' })).toEqual([]);
  });
});
