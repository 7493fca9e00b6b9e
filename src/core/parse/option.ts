/** @module Mentions of an enum field's options in a text, with the check box in front of each, if any. */
import { findPhrases } from './label-line.js';
import type { TextMatch } from './text-match.js';

/** One mention of an option; `box` is the check box written just before it, if there is one. */
export interface OptionMention {
  option: string;
  box: 'ticked' | 'empty' | null;
}

const TICKED_BEFORE = /(?:\[\s*[xX✓✔]\s*\]|\(\s*[xX✓✔]\s*\)|[☑☒✓✔])\s*$/;
const EMPTY_BEFORE = /(?:\[\s*\]|\(\s\)|[☐□])\s*$/;
/** A box and its gap to the option fit in this many characters ("[ x ] "). */
const BOX_REACH = 6;

/**
 * Every mention of any of `options` in `text` (case-insensitive, on word boundaries), in order. A mention
 * inside a longer one is dropped: "Net 30" inside "Net 30 EOM" is not a mention of its own.
 */
export function findOptions(text: string, options: readonly string[]): TextMatch<OptionMention>[] {
  const found: TextMatch<OptionMention>[] = [];
  for (const option of options) {
    for (const s of findPhrases(text, [option])) {
      const before = text.slice(Math.max(0, s.start - BOX_REACH), s.start);
      const box = TICKED_BEFORE.test(before) ? 'ticked' : EMPTY_BEFORE.test(before) ? 'empty' : null;
      found.push({ ...s, value: { option, box } });
    }
  }
  const longer = (o: TextMatch<OptionMention>, m: TextMatch<OptionMention>) =>
    o.start <= m.start && m.end <= o.end && o.end - o.start > m.end - m.start;
  return found.filter((m) => !found.some((o) => longer(o, m))).sort((a, b) => a.start - b.start);
}

/**
 * The one option a set of mentions settles on: the single ticked option, or, when nothing is ticked, the
 * single option mentioned without an empty box. Null when that is none or more than one.
 */
export function chooseOption(mentions: readonly TextMatch<OptionMention>[]): TextMatch<OptionMention> | null {
  const ticked = mentions.filter((m) => m.value.box === 'ticked');
  const pool = ticked.length > 0 ? ticked : mentions.filter((m) => m.value.box === null);
  return new Set(pool.map((m) => m.value.option)).size === 1 ? pool[0]! : null;
}
