/** @module Amounts of money with their currency: "$1,200.50", "USD 1,200", "1,200 US dollars", "£5 million". */
import type { Money } from '../types.js';
import { CURRENCY_NAMES, CURRENCY_SYMBOLS, isCurrencyCode, WORDLIKE_CODES } from './currency-codes.js';
import { dropOverlaps, execAll, parseWhole, type TextMatch } from './text-match.js';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// European grouping is only accepted with its two decimals ("10.000,00", "5,50"): a bare "1.200" could be
// either reading, and English grouping needs three digits after a comma, so the two cannot be confused.
const AMOUNT = String.raw`(\d{1,3}(?:\.\d{3})*,\d{2}(?![\d,])|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?!\d|[.,]\d)`;
// Spelled case-insensitively by hand: the forms with ISO codes cannot use the `i` flag, codes are upper case.
const anyCase = (word: string) => [...word].map((c) => `[${c}${c.toUpperCase()}]`).join('');
// Word multipliers may follow a space; single letters ("3.5m", "5k") must touch the number.
const MULTIPLIER = String.raw`(?:(?:\s*(${['million', 'billion', 'trillion', 'thousand'].map(anyCase).join('|')})|(${['mn', 'bn', 'm', 'k'].map(anyCase).join('|')}))(?![A-Za-z]))`;
const SYMBOL = `(${CURRENCY_SYMBOLS.map(([s]) => escape(s)).join('|')})`;
const NAME = `(${Object.keys(CURRENCY_NAMES)
  .sort((a, b) => b.length - a.length)
  .map((n) => n.split(' ').map((w) => (w === 'us' ? String.raw`u\.?s\.?` : escape(w))).join(String.raw`\s+`))
  .join('|')})`;
const NUMBER_BEFORE = String.raw`(?<![\w.,$£€¥])`;

const SYMBOL_FORM = new RegExp(String.raw`(?<![A-Za-z])${SYMBOL}\s?${AMOUNT}${MULTIPLIER}?(?:\s?([A-Z]{3})(?!\w))?`, 'gd');
const CODE_FIRST = new RegExp(String.raw`(?<!\w)([A-Z]{3})\s?${AMOUNT}${MULTIPLIER}?`, 'gd');
const CODE_AFTER = new RegExp(String.raw`${NUMBER_BEFORE}${AMOUNT}${MULTIPLIER}?\s?([A-Z]{3})(?!\w)`, 'gd');
const NAME_AFTER = new RegExp(String.raw`${NUMBER_BEFORE}${AMOUNT}${MULTIPLIER}?\s+${NAME}(?![a-z])`, 'gid');

const SCALE: Readonly<Record<string, number>> = {
  thousand: 3, k: 3, million: 6, m: 6, mn: 6, billion: 9, bn: 9, trillion: 12,
};

/**
 * The number an amount string stands for, scaled by its multiplier. Scaling shifts the decimal point in
 * the digits rather than multiplying, so "3.3m" is 3300000 and not 3299999.9999999995.
 */
function amountOf(written: string, multiplier: string | undefined): number {
  const european = /,\d{2}$/.test(written) && !/,\d{3}/.test(written);
  const plain = european ? written.replace(/\./g, '').replace(',', '.') : written.replace(/,/g, '');
  const shift = multiplier ? (SCALE[multiplier.toLowerCase()] ?? 0) : 0;
  if (shift === 0) return Number(plain);
  const [whole, fraction = ''] = plain.split('.') as [string, string?];
  const digits = fraction.padEnd(shift, '0');
  return Number(`${whole}${digits.slice(0, shift)}.${digits.slice(shift) || '0'}`);
}

function groupEnd(m: RegExpExecArray, group: number): number {
  return m.indices![group]![1];
}

function scan(text: string, codeAllowed: (code: string) => boolean): TextMatch<Money>[] {
  const found: TextMatch<Money>[] = [];
  const push = (start: number, end: number, amount: number, currency: string | null) => {
    if (currency !== null && Number.isFinite(amount)) found.push({ start, end, value: { amount, currency } });
  };
  for (const m of execAll(SYMBOL_FORM, text)) {
    const symbolCode = CURRENCY_SYMBOLS.find(([s]) => s === m[1])![1];
    const amount = amountOf(m[2]!, m[3] ?? m[4]);
    const trailing = m[5];
    // "$1,200 CAD": the code says which dollar; anything else after the amount is not ours to quote.
    if (trailing !== undefined && isCurrencyCode(trailing)) push(m.index, groupEnd(m, 5), amount, trailing);
    else push(m.index, groupEnd(m, m[4] !== undefined ? 4 : m[3] !== undefined ? 3 : 2), amount, symbolCode);
  }
  for (const m of execAll(CODE_FIRST, text)) {
    if (codeAllowed(m[1]!)) push(m.index, m.index + m[0].length, amountOf(m[2]!, m[3] ?? m[4]), m[1]!);
  }
  for (const m of execAll(CODE_AFTER, text)) {
    if (codeAllowed(m[4]!)) push(m.index, m.index + m[0].length, amountOf(m[1]!, m[2] ?? m[3]), m[4]!);
  }
  for (const m of execAll(NAME_AFTER, text)) {
    const name = m[4]!.toLowerCase().replace(/\./g, '').replace(/\s+/g, ' ');
    push(m.index, m.index + m[0].length, amountOf(m[1]!, m[2] ?? m[3]), CURRENCY_NAMES[name] ?? null);
  }
  return dropOverlaps(found);
}

/**
 * Every amount of money in `text` that names its currency by symbol, ISO code or name. Bare numbers are
 * not money, and codes that double as words ("TOP 10") are not read as currencies in running text.
 */
export function findMoney(text: string): TextMatch<Money>[] {
  return scan(text, (code) => isCurrencyCode(code) && !WORDLIKE_CODES.has(code));
}

/**
 * Reads a string that is one amount of money and nothing else; null otherwise, and null when no
 * currency is given.
 * @example parseMoney('€3.5m') // { amount: 3500000, currency: 'EUR' }
 */
export function parseMoney(s: string): Money | null {
  return parseWhole(s, (t) => scan(t, isCurrencyCode));
}
