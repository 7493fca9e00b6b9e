import { describe, expect, it } from 'vitest';
import { normalizeValue } from '../../../src/core/normalize-value.js';
import type { FieldSpec, FieldType, FieldValue } from '../../../src/core/types.js';

const field = (type: FieldType, extra: Partial<FieldSpec> = {}): FieldSpec => ({ key: 'k', label: 'K', type, ...extra });
const tier = field('enum', { options: ['Bronze', 'Silver', 'Gold Plus', 'None'] });

describe('normalizeValue: values', () => {
  const cases: [name: string, spec: FieldSpec, raw: unknown, value: FieldValue][] = [
    ['string trimmed and whitespace folded', field('string'), '  Acme\n  Widgets,\tInc. ', 'Acme Widgets, Inc.'],
    ['string from a JSON number', field('string'), 40213, '40213'],
    ['text keeps line breaks, folds spaces', field('text'), ' Line  one\r\nLine two\n\n\n\nEnd ', 'Line one\nLine two\n\nEnd'],
    ['number from a number', field('number'), 12.5, 12.5],
    ['number from a grouped string', field('number'), '1,234.5', 1234.5],
    ['number from a percentage', field('number'), '12%', 12],
    ['number from words', field('number'), 'two (2)', 2],
    ['integer', field('integer'), '36', 36],
    ['money from an object', field('money'), { amount: 1200, currency: 'usd' }, { amount: 1200, currency: 'USD' }],
    ['money object with a string amount and a symbol', field('money'), { amount: '1,200.50', currency: '€' }, { amount: 1200.5, currency: 'EUR' }],
    ['money from a string', field('money'), '£5 million', { amount: 5_000_000, currency: 'GBP' }],
    ['date from prose form', field('date'), 'the 3rd day of March, 2010', '2010-03-03'],
    ['date already ISO', field('date'), '2010-03-03', '2010-03-03'],
    ['boolean true', field('boolean'), true, true],
    ['boolean from a word', field('boolean'), 'No', false],
    ['boolean from 1', field('boolean'), 1, true],
    ['enum canonical option, case and spaces ignored', tier, '  gold   PLUS ', 'Gold Plus'],
    ['enum option that looks like "missing"', tier, 'none', 'None'],
    ['email', field('email'), 'Jane <Jane@Acme.COM>', 'Jane@acme.com'],
    ['phone', field('phone'), '+44 (0)20 7946 0958', '+442079460958'],
    ['url from www', field('url'), 'www.acme.com', 'https://www.acme.com'],
    ['list from an array', field('list'), [' Hosting ', '', 'Support', 3], ['Hosting', 'Support', '3']],
    ['list from lines and semicolons with bullets', field('list'), '- Hosting\n- Support; Backups', ['Hosting', 'Support', 'Backups']],
    ['list keeps commas inside items', field('list'), 'Acme, Inc.; Globex', ['Acme, Inc.', 'Globex']],
    ['pattern that matches', field('string', { pattern: '^[A-Z]{2}\\d{4}$' }), ' AB1234 ', 'AB1234'],
    ['pattern on each list item', field('list', { pattern: '^\\d+$' }), ['1', '22'], ['1', '22']],
  ];
  it.each(cases)('%s', (_name, spec, raw, value) => expect(normalizeValue(spec, raw)).toEqual({ ok: true, value }));
});

describe('normalizeValue: missing answers are null', () => {
  const cases: [name: string, spec: FieldSpec, raw: unknown][] = [
    ['null', field('string'), null],
    ['undefined', field('date'), undefined],
    ['empty string', field('number'), ''],
    ['whitespace', field('text'), '  \n '],
    ['N/A', field('date'), 'N/A'],
    ['not found, any case, with a full stop', field('money'), 'Not found.'],
    ['not specified', field('email'), 'not specified'],
    ['a dash', field('phone'), '—'],
    ['empty list', field('list'), []],
    ['list of blanks', field('list'), ['', ' ', 'N/A']],
    ['enum without a None option', field('enum', { options: ['A', 'B'] }), 'none'],
  ];
  it.each(cases)('%s', (_name, spec, raw) => expect(normalizeValue(spec, raw)).toEqual({ ok: true, value: null }));
});

describe('normalizeValue: invalid answers say why', () => {
  const cases: [name: string, spec: FieldSpec, raw: unknown, reason: string | RegExp][] = [
    ['relative date', field('date'), 'next Tuesday', 'expected an ISO date, got "next Tuesday"'],
    ['ambiguous numeric date with no date order', field('date'), '03/04/2024', /"03\/04\/2024" could be read day-first or month-first; give it as YYYY-MM-DD, or set the template's dateOrder/],
    ['impossible date', field('date'), '2010-02-30', 'expected an ISO date, got "2010-02-30"'],
    ['date as a number', field('date'), 20100303, 'expected an ISO date, got 20100303'],
    ['integer with a fraction', field('integer'), 1.5, 'expected a whole number, got 1.5'],
    ['integer from a fractional string', field('integer'), '2.25', 'expected a whole number, got 2.25'],
    ['number from prose', field('number'), 'about a dozen', 'expected a number, got "about a dozen"'],
    ['number from a boolean', field('number'), true, 'expected a number, got true'],
    ['money without a currency', field('money'), 1200, 'expected an amount with a currency, got 1200'],
    ['money string without a currency', field('money'), '1,200', 'expected an amount with a currency, got "1,200"'],
    ['money with a made-up currency', field('money'), { amount: 5, currency: 'ABC' }, '"ABC" is not an ISO 4217 currency code'],
    ['money object without currency', field('money'), { amount: 5 }, 'no currency given for amount 5'],
    ['money object without amount', field('money'), { currency: 'USD' }, 'expected a numeric amount, got null'],
    ['boolean maybe', field('boolean'), 'maybe', 'expected yes or no, got "maybe"'],
    ['boolean from 2', field('boolean'), 2, 'expected yes or no, got 2'],
    ['enum outside its options', tier, 'Platinum', 'expected one of "Bronze", "Silver", "Gold Plus", "None", got "Platinum"'],
    ['enum without options', field('enum'), 'A', 'the field lists no options'],
    ['email without a domain', field('email'), 'jane@', 'expected an email address, got "jane@"'],
    ['phone too short', field('phone'), '12345', 'expected a phone number of 7 to 15 digits, got "12345"'],
    ['url with ftp', field('url'), 'ftp://x.com', 'expected an http(s) URL, got "ftp://x.com"'],
    ['string from an object', field('string'), { name: 'x' }, 'expected text, got an object'],
    ['string from a list', field('string'), ['a', 'b'], 'expected text, got a list'],
    ['list holding an object', field('list'), ['a', { b: 1 }], 'expected a list of strings, got an object in it'],
    ['pattern mismatch names the pattern', field('string', { pattern: '^[A-Z]{2}\\d{4}$' }), 'ab12', '"ab12" does not match the pattern /^[A-Z]{2}\\d{4}$/'],
    ['pattern mismatch on a list item', field('list', { pattern: '^\\d+$' }), ['1', 'x'], '"x" does not match the pattern /^\\d+$/'],
    ['pattern on a normalised phone', field('phone', { pattern: '^\\+44' }), '(415) 555-2671', '"4155552671" does not match the pattern /^\\+44/'],
    ['broken pattern', field('string', { pattern: '([' }), 'x', "the field's pattern /([/ is not a valid regular expression"],
    ['long raw value is cut short', field('date'), 'x'.repeat(100), /^expected an ISO date, got "x{57}\.\.\."$/],
  ];
  it.each(cases)('%s', (_name, spec, raw, reason) => {
    const result = normalizeValue(spec, raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(typeof reason === 'string' ? new RegExp(`^${escape(reason)}$`) : reason);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('normalizeValue: the template locale', () => {
  const cases: [name: string, spec: FieldSpec, raw: unknown, options: Parameters<typeof normalizeValue>[2], value: unknown][] = [
    ['DMY date', field('date'), '03/04/2024', { dateOrder: 'DMY' }, '2024-04-03'],
    ['MDY date', field('date'), '03/04/2024', { dateOrder: 'MDY' }, '2024-03-04'],
    ['an ISO date needs no order', field('date'), '2024-04-03', {}, '2024-04-03'],
    ['a national phone in its region', field('phone'), '020 7946 0958', { region: 'GB' }, '+442079460958'],
    ['a national phone with no region stays national', field('phone'), '020 7946 0958', {}, '02079460958'],
  ];
  it.each(cases)('%s', (_name, spec, raw, options, value) => expect(normalizeValue(spec, raw, options)).toEqual({ ok: true, value }));

  it('refuses a phone number that is not valid in the region', () => {
    expect(normalizeValue(field('phone'), '(415) 555-2671', { region: 'GB' }).ok).toBe(false);
  });
});
