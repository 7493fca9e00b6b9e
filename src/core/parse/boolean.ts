/** @module Yes/no answers: words (yes, no, true, false, y, n, checked, unchecked, x) and ticked or empty boxes. */
import { dropOverlaps, execAll, type TextMatch } from './text-match.js';

const WHOLE: Readonly<Record<string, boolean>> = {
  yes: true, y: true, true: true, checked: true, x: true, '[x]': true, '(x)': true, '☑': true, '☒': true,
  '✓': true, '✔': true, '✅': true,
  no: false, n: false, false: false, unchecked: false, '[ ]': false, '[]': false, '( )': false, '☐': false,
};

const CHECKED = String.raw`\[\s*[xX✓✔]\s*\]|\(\s*[xX✓✔]\s*\)|[☑☒✓✔✅]`;
const UNCHECKED = String.raw`\[\s*\]|\(\s\)|[☐□]`;
const BOX = new RegExp(String.raw`(${CHECKED})|(${UNCHECKED})`, 'dgi');
// A box directly before Yes/No is read as the pair: "[x] No" is false, and "[ ] Yes" says nothing alone.
const BOX_WITH_WORD = new RegExp(String.raw`(?:(${CHECKED})|(${UNCHECKED}))\s*(yes|no|true|false)(?![\w'’])`, 'dgi');
// "No." and "No:" before a figure abbreviate "number" ("Policy No. 4411"), they do not answer anything.
const WORD = /(?<![\w'’])(yes|no|true|false|checked|unchecked)(?![\w'’])(?!\.?\s*[:#]?\s*\d)/dgi;
// Single letters only in capitals, standing alone: "Smoker: N", not the "n" of a stray token.
const LETTER = /(?<![\w'’.])([YN])(?![\w'’.])/dg;

/**
 * Every yes/no answer in `text`: the words, ticked ("[x]", "☒", "✓") and empty ("[ ]", "☐") boxes, and
 * capital Y/N on their own. A box in front of Yes/No is read together with the word.
 */
export function findBooleans(text: string): TextMatch<boolean>[] {
  // null marks a span that was read and means nothing on its own; it still hides the words inside it.
  const found: TextMatch<boolean | null>[] = [];
  for (const m of execAll(BOX_WITH_WORD, text)) {
    const word = WHOLE[m[3]!.toLowerCase()]!;
    found.push({ start: m.index, end: m.index + m[0].length, value: m[1] !== undefined ? word : null });
  }
  for (const m of execAll(BOX, text)) found.push({ start: m.index, end: m.index + m[0].length, value: m[1] !== undefined });
  for (const m of execAll(WORD, text)) found.push({ start: m.index, end: m.index + m[0].length, value: WHOLE[m[1]!.toLowerCase()]! });
  for (const m of execAll(LETTER, text)) found.push({ start: m.index, end: m.index + m[0].length, value: m[1] === 'Y' });
  return dropOverlaps(found).filter((m): m is TextMatch<boolean> => m.value !== null);
}

/**
 * Reads a string that is one yes/no answer and nothing else; null otherwise.
 * @example parseBoolean('Checked') // true
 */
export function parseBoolean(s: string): boolean | null {
  const t = s.trim().replace(/[.!]+$/, '').trim().toLowerCase();
  if (Object.hasOwn(WHOLE, t)) return WHOLE[t]!;
  const found = findBooleans(t);
  return found.length === 1 && found[0]!.start === 0 && found[0]!.end === t.length ? found[0]!.value : null;
}
