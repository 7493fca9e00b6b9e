/** @module The value parsers: for each kind, a whole-string reader and a finder with character offsets. */
export { findBooleans, parseBoolean } from './boolean.js';
export { CURRENCY_NAMES, CURRENCY_SYMBOLS, ISO_4217_CODES, isCurrencyCode, resolveCurrency } from './currency-codes.js';
export { findDates, isCalendarDate, parseDate } from './date.js';
export { findEmails, parseEmail } from './email.js';
export {
  boxBefore,
  bulletItems,
  findPhrases,
  nextLineValue,
  paragraphAfter,
  placeLabel,
  type LabelPlacement,
  type Span,
} from './label-line.js';
export { findMoney, parseMoney } from './money.js';
export { findNumbers, parseNumber } from './number.js';
export { chooseOption, findOptions, type OptionMention } from './option.js';
export { findPhones, parsePhone } from './phone.js';
export { findPostcodes, parsePostcode, type FindPostcodesOptions } from './postcode.js';
export { dropOverlaps, parseWhole, trimEdges, type TextMatch } from './text-match.js';
export { findUrls, parseUrl } from './url.js';
