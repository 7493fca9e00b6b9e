/** @module Postal codes: UK postcodes (SW1A 1AA) and US ZIP / ZIP+4 codes (94105, 94105-1420). */
import { dropOverlaps, execAll, trimEdges, type TextMatch } from './text-match.js';

// The UK format from the Royal Mail's rules: letters that never appear in a position are excluded, which
// keeps ordinary words and part numbers from passing for postcodes.
const UK_BODY = String.raw`(?:GIR ?0AA|[A-PR-UWYZ](?:\d{1,2}|[A-HK-Y]\d{1,2}|\d[A-HJKPS-UW]|[A-HK-Y]\d[ABEHMNPRV-Y]) ?\d[ABD-HJLNP-UW-Z]{2})`;
const UK = new RegExp(String.raw`(?<![A-Za-z0-9])${UK_BODY}(?![A-Za-z0-9])`, 'dg');
const UK_WHOLE = new RegExp(String.raw`^${UK_BODY}$`);

const STATES = `AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY
NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP`.split(/\s+/);
const STATE_NAMES = `Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|Idaho
|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|Mississippi
|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio
|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia
|Washington|West Virginia|Wisconsin|Wyoming|Puerto Rico|District of Columbia`.replace(/\s*\n\s*/g, '');
const ZIP = String.raw`\d{5}(?:-\d{4})?(?![\d-])`;
// Five digits alone are too common to be a ZIP in running text; after a state ("CA 94105") they are one.
const ZIP_AFTER_STATE = new RegExp(String.raw`(?<=(?<![A-Za-z])(?:${STATES.join('|')}|${STATE_NAMES})\.?,?\s{1,3})${ZIP}`, 'dg');
const BARE_ZIP = new RegExp(String.raw`(?<![\w.,$-])${ZIP}`, 'dg');

/** Upper case with one space before the inward code: "sw1a1aa" → "SW1A 1AA". */
function ukValue(written: string): string {
  const compact = written.toUpperCase().replace(/\s+/g, '');
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
}

export interface FindPostcodesOptions {
  /**
   * Also read a ZIP code that follows no state name, for text already known to hold a postal code
   * (the value after a "ZIP:" label).
   * @default false
   */
  bareZip?: boolean;
}

/** Every UK postcode (written in capitals) and US ZIP / ZIP+4 (after a state name) in `text`. */
export function findPostcodes(text: string, options: FindPostcodesOptions = {}): TextMatch<string>[] {
  const found: TextMatch<string>[] = [];
  for (const m of execAll(UK, text)) found.push({ start: m.index, end: m.index + m[0].length, value: ukValue(m[0]) });
  for (const m of execAll(options.bareZip ? BARE_ZIP : ZIP_AFTER_STATE, text)) {
    found.push({ start: m.index, end: m.index + m[0].length, value: m[0] });
  }
  return dropOverlaps(found);
}

/**
 * Reads a string that is one UK postcode (any case, spaced or not) or US ZIP / ZIP+4; null otherwise.
 * @example parsePostcode('sw1a1aa') // 'SW1A 1AA'
 */
export function parsePostcode(s: string): string | null {
  const t = trimEdges(s);
  if (/^\d{5}(?:-\d{4})?$/.test(t)) return t;
  const upper = t.toUpperCase().replace(/\s+/g, ' ');
  return UK_WHOLE.test(upper) ? ukValue(upper) : null;
}
