import { describe, expect, it } from 'vitest';
import { findPhones, parsePhone } from '../../../src/core/parse/phone.js';

describe('parsePhone', () => {
  const reads: [name: string, input: string, value: string][] = [
    ['UK international with trunk zero', '+44 (0)20 7946 0958', '+442079460958'],
    ['US international', '+1 (415) 555-2671', '+14155552671'],
    ['US national', '(415) 555-2671', '4155552671'],
    ['US dotted', '415.555.2671', '4155552671'],
    ['UK national', '020 7946 0958', '02079460958'],
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
  ];
  it.each(rejects)('rejects %s: %s', (_name, input) => expect(parsePhone(input)).toBeNull());
});

describe('findPhones', () => {
  it('finds international, US and UK forms with spans', () => {
    const text = 'Tel: +44 (0)20 7946 0958; US office (415) 555-2671; mobile 07700 900123; toll-free 1-800-555-0199.';
    expect(findPhones(text).map((m) => [text.slice(m.start, m.end), m.value])).toEqual([
      ['+44 (0)20 7946 0958', '+442079460958'],
      ['(415) 555-2671', '4155552671'],
      ['07700 900123', '07700900123'],
      ['1-800-555-0199', '18005550199'],
    ]);
  });

  const none: [name: string, text: string][] = [
    ['dates', 'signed 2010-03-03 and 03/03/2010'],
    ['a bare run of digits', 'account 0123456789 and invoice 12345678'],
    ['money and decimals', '$1,200.50 and 3.14159'],
    ['a signed percentage', 'up +5% on last year'],
    ['a short international-looking figure', '+12.5 points'],
  ];
  it.each(none)('finds nothing in %s', (_name, text) => expect(findPhones(text)).toEqual([]));
});
