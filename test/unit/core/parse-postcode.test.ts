import { describe, expect, it } from 'vitest';
import { findPostcodes, parsePostcode } from '../../../src/core/parse/postcode.js';

describe('parsePostcode', () => {
  const reads: [name: string, input: string, value: string][] = [
    ['UK spaced', 'SW1A 1AA', 'SW1A 1AA'],
    ['UK unspaced lower case', 'sw1a1aa', 'SW1A 1AA'],
    ['UK short outward code', 'M1 1AE', 'M1 1AE'],
    ['UK two-letter area', 'EC1A 1BB', 'EC1A 1BB'],
    ['UK Girobank', 'GIR 0AA', 'GIR 0AA'],
    ['US ZIP', '94105', '94105'],
    ['US ZIP+4', '94105-1420', '94105-1420'],
  ];
  it.each(reads)('%s: %s', (_name, input, value) => expect(parsePostcode(input)).toBe(value));

  const rejects: [name: string, input: string][] = [
    ['Q is never a first letter', 'Q1 1AA'],
    ['C is never in the inward code', 'SW1A 1CA'],
    ['four-digit ZIP', '9410'],
    ['six digits', '941051'],
    ['ZIP+3', '94105-142'],
    ['a word', 'LONDON'],
    ['postcode with town', 'SW1A 1AA London'],
    ['empty', ''],
  ];
  it.each(rejects)('rejects %s: %s', (_name, input) => expect(parsePostcode(input)).toBeNull());
});

describe('findPostcodes', () => {
  it('finds UK postcodes anywhere and US ZIPs after a state', () => {
    const text = '10 Downing Street, London SW1A 2AA. 500 Market St, San Francisco, CA 94105-1420; Austin, Texas 78701.';
    expect(findPostcodes(text).map((m) => [text.slice(m.start, m.end), m.value])).toEqual([
      ['SW1A 2AA', 'SW1A 2AA'],
      ['94105-1420', '94105-1420'],
      ['78701', '78701'],
    ]);
  });

  it('reads a bare ZIP only when asked', () => {
    expect(findPostcodes('94105')).toEqual([]);
    expect(findPostcodes('94105', { bareZip: true })).toEqual([{ start: 0, end: 5, value: '94105' }]);
  });

  const none: [name: string, text: string][] = [
    ['five-digit numbers without a state', 'order 12345 for 10000 units'],
    ['lower-case lookalikes in prose', 'part sw1a 1aa'],
    ['part numbers', 'use part AB12CDE or X1 2YZ9'],
    ['a dollar amount after a state', 'CA $94105'],
  ];
  it.each(none)('finds nothing in %s', (_name, text) => expect(findPostcodes(text)).toEqual([]));
});
