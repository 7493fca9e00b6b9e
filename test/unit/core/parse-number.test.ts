import { describe, expect, it } from 'vitest';
import { findNumbers, parseNumber } from '../../../src/core/parse/number.js';

describe('parseNumber', () => {
  const reads: [name: string, input: string, value: number][] = [
    ['grouped with decimals', '1,234.5', 1234.5],
    ['plain integer', '42', 42],
    ['negative', '-3', -3],
    ['percentage keeps the figure', '12%', 12],
    ['spelled percent', '7.5 percent', 7.5],
    ['per cent', '5 per cent', 5],
    ['number word', 'twelve', 12],
    ['capitalised number word', 'Twenty', 20],
    ['zero', 'zero', 0],
    ['word with agreeing figure', 'two (2)', 2],
    ['millions grouped', '1,000,000', 1_000_000],
  ];
  it.each(reads)('%s: %s', (_name, input, value) => expect(parseNumber(input)).toBe(value));

  const rejects: [name: string, input: string][] = [
    ['word with disagreeing figure', 'two (3)'],
    ['compound number word', 'twenty-one'],
    ['beyond twenty', 'thirty'],
    ['Indian grouping', '1,00,000'],
    ['broken grouping', '1,2345'],
    ['a unit after', '12 months'],
    ['an ordinal', '3rd'],
    ['a version', 'v1.2'],
    ['a date', '2010-03-03'],
    ['two numbers', '1 2'],
    ['empty', ''],
    ['prose', 'a few'],
  ];
  it.each(rejects)('rejects %s: %s', (_name, input) => expect(parseNumber(input)).toBeNull());
});

describe('findNumbers', () => {
  it('finds numbers, words and percentages with spans', () => {
    const text = 'The Licensee may install the Software on two (2) servers, for 1,250.75 hours at 12% interest.';
    expect(findNumbers(text).map((m) => [text.slice(m.start, m.end), m.value])).toEqual([
      ['two (2)', 2],
      ['1,250.75', 1250.75],
      ['12%', 12],
    ]);
  });

  it('reports a word and its disagreeing figure apart', () => {
    const text = 'two (3) copies';
    expect(findNumbers(text).map((m) => [text.slice(m.start, m.end), m.value])).toEqual([
      ['two', 2],
      ['3', 3],
    ]);
  });

  const none: [name: string, text: string][] = [
    ['ordinals', 'the 3rd and 21st'],
    ['codes mixing letters and digits', 'form W9 and A4 paper, model X500'],
    ['hyphenated words', 'a one-off, twenty-one times'],
    ['words containing number words', 'someone often'],
  ];
  it.each(none)('finds nothing in %s', (_name, text) => expect(findNumbers(text)).toEqual([]));
});
