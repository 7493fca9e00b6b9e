import { describe, expect, it } from 'vitest';
import { isCurrencyCode, resolveCurrency } from '../../../src/core/parse/currency-codes.js';
import { findMoney, parseMoney } from '../../../src/core/parse/money.js';
import type { Money } from '../../../src/core/types.js';

describe('parseMoney', () => {
  const reads: [name: string, input: string, money: Money][] = [
    ['dollar sign with cents', '$1,200.50', { amount: 1200.5, currency: 'USD' }],
    ['code first', 'USD 1,200', { amount: 1200, currency: 'USD' }],
    ['code first without a space', 'GBP1,000,000', { amount: 1_000_000, currency: 'GBP' }],
    ['code after', '1,200.00 EUR', { amount: 1200, currency: 'EUR' }],
    ['currency name after', '1,200 US dollars', { amount: 1200, currency: 'USD' }],
    ['dotted U.S. dollars', '5 U.S. dollars', { amount: 5, currency: 'USD' }],
    ['euros by name', '250 euros', { amount: 250, currency: 'EUR' }],
    ['pound sign with million', '£5 million', { amount: 5_000_000, currency: 'GBP' }],
    ['euro sign with m', '€3.5m', { amount: 3_500_000, currency: 'EUR' }],
    ['multiplier scaled exactly', '$1.1 million', { amount: 1_100_000, currency: 'USD' }],
    ['thousand as k', '$25k', { amount: 25_000, currency: 'USD' }],
    ['European grouping with decimals', 'EUR 10.000,00', { amount: 10_000, currency: 'EUR' }],
    ['yen sign', '¥3000', { amount: 3000, currency: 'JPY' }],
    ['US$ prefix', 'US$5', { amount: 5, currency: 'USD' }],
    ['dollar sign overridden by a trailing code', '$1,200 CAD', { amount: 1200, currency: 'CAD' }],
    ['a word-like code, as a whole value', 'ALL 500', { amount: 500, currency: 'ALL' }],
  ];
  it.each(reads)('%s: %s', (_name, input, money) => expect(parseMoney(input)).toEqual(money));

  const rejects: [name: string, input: string][] = [
    ['no currency', '1,200.00'],
    ['unknown code', 'ABC 100'],
    ['withdrawn code', 'HRK 100'],
    ['lower-case code', 'usd 100'],
    ['ambiguous pounds (weight or money)', '10 pounds'],
    ['words after the amount', '$100 per month'],
    ['two amounts', '$5 and $6'],
    ['bad grouping', '$1,20,000'],
    ['currency only', 'USD'],
    ['empty', ''],
    ['precious metal code', 'XAU 10'],
    ['not a number', '$abc'],
  ];
  it.each(rejects)('rejects %s: %s', (_name, input) => expect(parseMoney(input)).toBeNull());
});

describe('findMoney', () => {
  it('finds amounts in a fee schedule with spans', () => {
    const text = 'Rent is $1,200.50 per month; the deposit is USD 2,400 and the setup fee 300 euros (a "Fee").';
    expect(findMoney(text).map((m) => [text.slice(m.start, m.end), m.value])).toEqual([
      ['$1,200.50', { amount: 1200.5, currency: 'USD' }],
      ['USD 2,400', { amount: 2400, currency: 'USD' }],
      ['300 euros', { amount: 300, currency: 'EUR' }],
    ]);
  });

  it('leaves a trailing non-code word out of the quote', () => {
    const text = 'pay $100 AND interest';
    expect(findMoney(text)).toEqual([{ start: 4, end: 8, value: { amount: 100, currency: 'USD' } }]);
  });

  const none: [name: string, text: string][] = [
    ['codes that are ordinary words', 'TOP 10 risks and ALL 3 parties'],
    ['bare numbers', 'a term of 36 months and 1,200 units'],
    ['weight in pounds', 'a parcel of 10 pounds'],
    ['a currency name with no amount', 'paid in US dollars'],
    ['an amount glued to letters', 'model X500USD2'],
    ['an unknown dollar', '1,200 Narnian dollars'],
  ];
  it.each(none)('finds nothing in %s', (_name, text) => expect(findMoney(text)).toEqual([]));
});

describe('currencies', () => {
  const codes: [string, string, boolean][] = [
    ['US dollar', 'USD', true],
    ['Zimbabwe gold', 'ZWG', true],
    ['Sierra Leone new leone', 'SLE', true],
    ['withdrawn Croatian kuna', 'HRK', false],
    ['withdrawn Zimbabwe dollar', 'ZWL', false],
    ['lower case', 'usd', false],
    ['made up', 'ABC', false],
  ];
  it.each(codes)('isCurrencyCode: %s', (_name, code, expected) => expect(isCurrencyCode(code)).toBe(expected));

  const resolved: [string, string, string | null][] = [
    ['lower-case code', 'eur', 'EUR'],
    ['symbol', '£', 'GBP'],
    ['prefixed symbol', 'HK$', 'HKD'],
    ['name', 'Swiss Francs', 'CHF'],
    ['unknown word', 'doubloons', null],
    ['empty', '', null],
  ];
  it.each(resolved)('resolveCurrency: %s', (_name, input, expected) => expect(resolveCurrency(input)).toBe(expected));
});
