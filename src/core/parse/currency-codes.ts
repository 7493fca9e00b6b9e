/** @module Currencies: the current ISO 4217 codes, and the symbols and names that stand for them. */

/**
 * Current ISO 4217 currency and fund codes. Withdrawn codes (CUC, HRK, SLL, ZWL, VEF, ...) are absent so a
 * stale value is caught, and so are precious metals, test and "no currency" codes (XAU, XTS, XXX, ...),
 * which no money field means.
 */
const CODES = `
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL
GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD
KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO
NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD
SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV
WST XAF XCD XCG XDR XOF XPF XSU XUA YER ZAR ZMW ZWG
`;

/** The current ISO 4217 codes, upper case. */
export const ISO_4217_CODES: ReadonlySet<string> = new Set(CODES.trim().split(/\s+/));

/** Whether `code` is a current ISO 4217 code, exactly as written (upper case). */
export function isCurrencyCode(code: string): boolean {
  return ISO_4217_CODES.has(code);
}

/**
 * Codes that are also ordinary upper-case words or acronyms ("ALL 3 PARTIES", "TOP 10", "AMD"). In running
 * text they are not taken for a currency; a whole value such as "ALL 500" still is.
 */
export const WORDLIKE_CODES: ReadonlySet<string> = new Set([
  'ALL', 'AMD', 'BAM', 'BOB', 'CUP', 'GEL', 'MAD', 'MOP', 'PEN', 'SOS', 'TOP', 'TRY',
]);

/**
 * Currency symbols, longest first so "US$" is read before "$". Where a symbol is shared, it stands for
 * its most common currency: "$" for USD, "¥" for JPY.
 */
export const CURRENCY_SYMBOLS: ReadonlyArray<readonly [symbol: string, code: string]> = [
  ['U.S.$', 'USD'], ['US$', 'USD'], ['AU$', 'AUD'], ['CA$', 'CAD'], ['NZ$', 'NZD'], ['HK$', 'HKD'],
  ['A$', 'AUD'], ['C$', 'CAD'], ['S$', 'SGD'], ['R$', 'BRL'], ['$', 'USD'], ['£', 'GBP'], ['€', 'EUR'],
  ['¥', 'JPY'], ['₹', 'INR'], ['₩', 'KRW'], ['₽', 'RUB'], ['₺', 'TRY'], ['₪', 'ILS'], ['₱', 'PHP'],
  ['₫', 'VND'], ['฿', 'THB'], ['₦', 'NGN'], ['₴', 'UAH'],
];

/** Currency names as written after an amount ("1,200 US dollars"), lower case, single-spaced, no dots. */
export const CURRENCY_NAMES: Readonly<Record<string, string>> = {
  'us dollar': 'USD', 'us dollars': 'USD', 'united states dollar': 'USD', 'united states dollars': 'USD',
  'american dollars': 'USD', dollar: 'USD', dollars: 'USD',
  'canadian dollar': 'CAD', 'canadian dollars': 'CAD', 'australian dollar': 'AUD', 'australian dollars': 'AUD',
  'new zealand dollars': 'NZD', 'hong kong dollars': 'HKD', 'singapore dollars': 'SGD',
  euro: 'EUR', euros: 'EUR', 'pound sterling': 'GBP', 'pounds sterling': 'GBP', sterling: 'GBP',
  'british pounds': 'GBP', yen: 'JPY', 'japanese yen': 'JPY', 'swiss francs': 'CHF', 'indian rupees': 'INR',
  yuan: 'CNY', renminbi: 'CNY', 'chinese yuan': 'CNY',
};

/**
 * The ISO code for a currency given as a code in any case ("usd"), a symbol ("€") or a name
 * ("US dollars"); null when it names no current currency.
 */
export function resolveCurrency(s: string): string | null {
  const t = s.trim();
  const upper = t.toUpperCase();
  if (isCurrencyCode(upper)) return upper;
  const symbol = CURRENCY_SYMBOLS.find(([sym]) => sym === upper);
  if (symbol) return symbol[1];
  return CURRENCY_NAMES[t.toLowerCase().replace(/\./g, '').replace(/\s+/g, ' ')] ?? null;
}
