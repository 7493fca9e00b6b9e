/** @module The postcode of an organisation's own address: under "Registered office" or "Principal address",
 * or in the letterhead at the top of its document. */
import { findPostcodes } from '../parse/postcode.js';
import { execAll } from '../parse/text-match.js';
import type { RuleContext, RuleMatch } from './rule-match.js';

// Labels that head the subject's own address. Bare "Address" counts too; "Auditors" or "Bankers" do not.
const OWN_ADDRESS =
  /(?<![\p{L}])(?:(?:registered|principal|head|main|correspondence|contact|postal|business|trading)\s+(?:office|address)|principal\s+place\s+of\s+business|(?:our|its|the\s+\p{L}+['’]s)\s+(?:principal\s+)?address|office\s+address|address)\b/giud;
/** An address block runs a few short lines; its postcode closes it. */
const ADDRESS_REACH = 220;
/** A letterhead is the top of the document's first page. */
const LETTERHEAD_REACH = 600;

/**
 * UK postcodes and US ZIP codes (after a state) that end the subject's own address:
 * - `address-label` (0.75): the first postcode within a short block after an own-address label, the label
 *   and postcode on one line or the block on several (a postcode split over two lines, "N16\n5PQ", too);
 * - `letterhead` (0.5): the first postcode in the document's opening lines.
 * Postcodes of auditors, bankers and advisers further down are not read: no own-address label heads them.
 */
export function findAddressPostcodes(text: string, ctx: RuleContext): RuleMatch<string>[] {
  const found: RuleMatch<string>[] = [];
  for (const m of execAll(OWN_ADDRESS, text)) {
    const from = m.index + m[0].length;
    // Line breaks as spaces, so a postcode broken over two lines reads whole; offsets stay the same.
    // The block ends at the next heading ("Bankers:", "Trustees") or blank line: what follows is another address.
    const raw = text.slice(from, from + ADDRESS_REACH);
    const heading = /\n\s*\n|\n[^\n]{1,40}:[ \t]*(?:\n|$)|\n[ \t]*(?:auditors?|bankers?|solicitors?|trustees|directors|independent\s+examiner|accountants?|investment\s+managers?|advisers?)\b/i.exec(raw);
    const block = (heading ? raw.slice(0, heading.index) : raw).replace(/\n/g, ' ');
    const first = findPostcodes(block)[0];
    if (first) found.push({ start: from + first.start, end: from + first.end, value: first.value, confidence: 0.75, rule: 'address-label' });
  }
  if (ctx.documentOffset < LETTERHEAD_REACH) {
    const first = findPostcodes(text.slice(0, LETTERHEAD_REACH - ctx.documentOffset))[0];
    if (first) found.push({ ...first, confidence: 0.5, rule: 'letterhead' });
  }
  return found;
}
