import { describe, expect, it } from 'vitest';
import { boxBefore, bulletItems, findPhrases, nextLineValue, paragraphAfter, placeLabel } from '../../../src/core/parse/label-line.js';

/** Places the first occurrence of `label` in `text` and returns what the placement says, as text. */
function place(text: string, label: string) {
  const [hit] = findPhrases(text, [label]);
  if (!hit) throw new Error(`label ${label} not in text`);
  const p = placeLabel(text, hit);
  if (p.kind !== 'line') return p.kind;
  return { value: p.value && text.slice(p.value.start, p.value.end), wide: p.wide && text.slice(p.wide.start, p.wide.end) };
}

describe('placeLabel', () => {
  const lines: [name: string, text: string, label: string, value: string | null, wide?: string][] = [
    ['colon', 'Effective Date: March 3, 2010', 'Effective Date', 'March 3, 2010'],
    ['spaced dash', 'Effective Date - March 3, 2010', 'Effective Date', 'March 3, 2010'],
    ['em dash', 'Effective Date— 2010-03-03', 'Effective Date', '2010-03-03'],
    ['aside before the colon', 'Effective Date (the "Start"): 2010-03-03', 'Effective Date', '2010-03-03'],
    ['markdown bold', '**Effective Date:** 2010-03-03', 'Effective Date', '2010-03-03'],
    ['bullet and numbering', '  3.1 - Effective Date: 2010-03-03', 'Effective Date', '2010-03-03'],
    ['table row', '| Effective Date | 2010-03-03 |', 'Effective Date', '2010-03-03'],
    ['spaced columns without a colon', 'Effective Date      2010-03-03', 'Effective Date', '2010-03-03'],
    ['second pair on a column line', 'Name: Jane Doe      Date: 2010-03-03', 'Date', '2010-03-03'],
    ['first pair stops at the column', 'Name: Jane Doe      Date: 2010-03-03', 'Name', 'Jane Doe'],
    ['wide value runs across choice columns', 'Terms: [ ] Net 15   [x] Net 30   Fee: $5', 'Terms', '[ ] Net 15', '[ ] Net 15   [x] Net 30'],
    ['after a sentence on the same line', 'The term is 36 months. Termination Date: ______', 'Termination Date', '______'],
    ['alone on its line', 'Effective Date\n2010-03-03', 'Effective Date', null],
    ['colon and nothing after', 'Effective Date:\n2010-03-03', 'Effective Date', null],
    ['case-insensitive, flexible spacing', 'EFFECTIVE   DATE: 2010-03-03', 'effective date', '2010-03-03'],
  ];
  it.each(lines)('line: %s', (_name, text, label, value, wide) => {
    expect(place(text, label)).toEqual({ value, wide: wide ?? value });
  });

  const others: [name: string, text: string, label: string, kind: 'prose' | 'other-key'][] = [
    ['inside a longer key', 'Termination Date: 2012-03-03', 'Date', 'other-key'],
    ['heads a longer key', 'Date of Birth: 1980-01-01', 'Date', 'other-key'],
    ['in a sentence', 'The Effective Date of this Agreement is March 3, 2010.', 'Effective Date', 'prose'],
    ['defined term', 'made as of March 3, 2010 (the "Effective Date").', 'Effective Date', 'prose'],
    ['followed by words, no separator', 'Effective Date shall mean the date first written above', 'Effective Date', 'prose'],
    ['a longer hyphenated key', 'Effective Date-ish: soon', 'Effective Date', 'other-key'],
    ['in a long sentence ending in a colon', 'The parties agree that the Effective Date will be as follows: 2010-03-03', 'Effective Date', 'prose'],
  ];
  it.each(others)('not a line: %s', (_name, text, label, kind) => expect(place(text, label)).toBe(kind));
});

describe('findPhrases', () => {
  it('matches on word boundaries, any apostrophe, hyphens for spaces, longest first', () => {
    const text = "Tenant’s Name: x; tenant's-name; Subtenants Name; Tenant's Name Suffix";
    const spans = findPhrases(text, ["Tenant's Name", "Tenant's Name Suffix"]);
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual(["Tenant’s Name", "tenant's-name", "Tenant's Name Suffix"]);
  });

  const none: [string, string, string][] = [
    ['inside a longer word', 'Dated: 2010', 'Date'],
    ['prefix of a word', 'Update', 'Date'],
    ['empty phrase', 'Date: x', '   '],
  ];
  it.each(none)('no match: %s', (_name, text, phrase) => expect(findPhrases(text, [phrase])).toEqual([]));
});

describe('values below a label', () => {
  const text = 'Tenant Name:\n\n  Jane Doe  \nNotes:\nFirst line\nsecond line\n\nNext paragraph\nServices:\n- Hosting\n- Support\nTotal: 5\nAddress:\nCity: Leeds';
  const lineEndAfter = (label: string) => text.indexOf('\n', text.indexOf(label));

  it('takes the next line, across one blank line, trimmed', () => {
    const span = nextLineValue(text, lineEndAfter('Tenant Name:'))!;
    expect(text.slice(span.start, span.end)).toBe('Jane Doe');
  });

  it('does not take a line that is itself a key', () => {
    expect(nextLineValue(text, lineEndAfter('Address:'))).toBeNull();
  });

  it('takes a paragraph up to a blank line', () => {
    const span = paragraphAfter(text, lineEndAfter('Notes:'))!;
    expect(text.slice(span.start, span.end)).toBe('First line\nsecond line');
  });

  it('takes bullet items up to the first line that is not one', () => {
    const items = bulletItems(text, lineEndAfter('Services:'));
    expect(items.map((s) => text.slice(s.start, s.end))).toEqual(['Hosting', 'Support']);
  });

  it('finds no bullets where there are none', () => {
    expect(bulletItems(text, lineEndAfter('Notes:'))).toEqual([]);
  });
});

describe('boxBefore', () => {
  const cases: [name: string, text: string, expected: { checked: boolean } | null][] = [
    ['ballot box with x', '☒ Smoker', { checked: true }],
    ['bracket x', '  [x] Smoker', { checked: true }],
    ['empty box', '☐ Smoker', { checked: false }],
    ['empty brackets', '[ ] Smoker', { checked: false }],
    ['no box', 'Smoker: yes', null],
    ['box far before', '☒ Pets and also Smoker', null],
  ];
  it.each(cases)('%s', (_name, text, expected) => {
    const [hit] = findPhrases(text, ['Smoker']);
    const box = boxBefore(text, hit!);
    expect(box && { checked: box.checked }).toEqual(expected);
  });
});
