/** @module Postal codes: UK postcodes (SW1A 1AA) and US ZIP / ZIP+4 codes (94105, 94105-1420). */
import { US_STATES } from './places.js';
import { dropOverlaps, execAll, trimEdges, type TextMatch } from './text-match.js';

// The UK format from the Royal Mail's rules: letters that never appear in a position are excluded, which
// keeps ordinary words and part numbers from passing for postcodes.
const UK_BODY = String.raw`(?:GIR ?0AA|[A-PR-UWYZ](?:\d{1,2}|[A-HK-Y]\d{1,2}|\d[A-HJKPS-UW]|[A-HK-Y]\d[ABEHMNPRV-Y]) ?\d[ABD-HJLNP-UW-Z]{2})`;
const UK = new RegExp(String.raw`(?<![A-Za-z0-9])${UK_BODY}(?![A-Za-z0-9])`, 'dg');
const UK_WHOLE = new RegExp(String.raw`^${UK_BODY}$`);

const STATES = US_STATES.map(([, code]) => code);
const STATE_NAMES = US_STATES.map(([name]) => name.replace(/\./g, '\\.').replace(/ /g, '\\s')).join('|');
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
