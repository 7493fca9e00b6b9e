import { describe, expect, it } from 'vitest';
import { chooseOption, findOptions } from '../../../src/core/parse/option.js';

const TERMS = ['Net 15', 'Net 30', 'Net 30 EOM', 'Prepaid'];

describe('findOptions', () => {
  it('finds mentions with their boxes, dropping one inside a longer option', () => {
    const text = '[ ] Net 15   [x] Net 30 EOM   ☐ Prepaid';
    expect(findOptions(text, TERMS).map((m) => [text.slice(m.start, m.end), m.value.option, m.value.box])).toEqual([
      ['Net 15', 'Net 15', 'empty'],
      ['Net 30 EOM', 'Net 30 EOM', 'ticked'],
      ['Prepaid', 'Prepaid', 'empty'],
    ]);
  });

  const none: [name: string, text: string][] = [
    ['option inside a longer word', 'Prepaidcard holders only'],
    ['number run on', 'Net 150 days'],
    ['no options at all', 'payable on receipt'],
  ];
  it.each(none)('finds nothing: %s', (_name, text) => expect(findOptions(text, TERMS)).toEqual([]));
});

describe('chooseOption', () => {
  const cases: [name: string, text: string, chosen: string | null][] = [
    ['the single ticked option', '[ ] Net 15  [x] Net 30', 'Net 30'],
    ['a ticked option beats an unmarked mention', 'Prepaid or ☒ Net 15', 'Net 15'],
    ['the single unmarked mention', 'payable Net 15 from invoice', 'Net 15'],
    ['the same option twice', 'Net 15, i.e. Net 15 days', 'Net 15'],
    ['two ticked options', '[x] Net 15  [x] Net 30', null],
    ['two unmarked options', 'Net 15 or Net 30', null],
    ['every box empty', '[ ] Net 15  [ ] Net 30', null],
    ['no mention', 'on receipt', null],
  ];
  it.each(cases)('%s', (_name, text, chosen) => {
    expect(chooseOption(findOptions(text, TERMS))?.value.option ?? null).toBe(chosen);
  });
});
