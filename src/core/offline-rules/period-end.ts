/** @module The closing date of a reporting period: "for the year ended 31 March 2016", "as at 31 March 2016". */
import { findDates } from '../parse/date.js';
import type { RuleContext, RuleMatch } from './rule-match.js';

// Just before the date: "year ended", "period ending on", "twelve months to", "year end:", "financial year ending".
const PERIOD_BEFORE =
  /\b(?:year|period|months|quarter|half[\s-]year)\s*(?:ended|ending|end|to)\s*:?\s*(?:on\s+)?(?:the\s+)?$|\byear[\s-]end(?:ed|ing)?\s*:?\s*(?:on\s+)?(?:the\s+)?$/i;
// A balance sheet is drawn up "as at" the period's last day.
const AS_AT_BEFORE = /\bas\s+at\s*:?\s*(?:the\s+)?$/i;
// "for the period from 1 April 2015 to 31 March 2016": the second date closes it.
const RANGE_BEFORE = /\bperiod\s+(?:from\s+)?[^\n]{6,40}?\s+(?:to|until|through)\s+(?:the\s+)?$/i;

/**
 * Every date in `text` that closes a reporting period, by the words just before it: `year-ended` (0.8) for
 * "year/period ended", "year end" and the end of a "period from … to …"; `as-at` (0.55) for "as at". A
 * report repeats its own period on most pages and its comparative year less often, so the extractor
 * weighs repeated dates up. A date after "ended" that starts a sentence about something else ("the lease
 * ended on …") has no period word and is not read.
 */
export function findPeriodEnds(text: string, ctx: RuleContext): RuleMatch<string>[] {
  const found: RuleMatch<string>[] = [];
  for (const d of findDates(text, ctx.dateOrder ? { dateOrder: ctx.dateOrder } : {})) {
    const before = text.slice(Math.max(0, d.start - 60), d.start);
    if (PERIOD_BEFORE.test(before) || RANGE_BEFORE.test(before)) found.push({ ...d, confidence: 0.8, rule: 'year-ended' });
    else if (AS_AT_BEFORE.test(before)) found.push({ ...d, confidence: 0.55, rule: 'as-at' });
  }
  return found;
}
