import { describe, expect, it } from 'vitest';
import { findBooleans, parseBoolean } from '../../../src/core/parse/boolean.js';

describe('parseBoolean', () => {
  const reads: [name: string, input: string, value: boolean][] = [
    ['yes', 'Yes', true],
    ['no', 'no', false],
    ['true', 'TRUE', true],
    ['false', 'false', false],
    ['y', 'Y', true],
    ['n', 'n', false],
    ['checked', 'Checked', true],
    ['unchecked', 'unchecked', false],
    ['x mark', 'X', true],
    ['ticked box', '[x]', true],
    ['empty box', '[ ]', false],
    ['ballot box with x', '☒', true],
    ['ticked No', '[x] No', false],
    ['with a full stop', 'Yes.', true],
  ];
  it.each(reads)('%s: %s', (_name, input, value) => expect(parseBoolean(input)).toBe(value));

  const rejects: [name: string, input: string][] = [
    ['maybe', 'maybe'],
    ['both words', 'yes no'],
    ['a sentence', 'yes, if approved by the board'],
    ['empty', ''],
    ['a prototype property name', 'constructor'],
    ['a number', '2'],
    ['yes inside a word', 'yesterday'],
    ['unticked Yes alone', '[ ] Yes'],
    ['on', 'on'],
    ['a letter that is not an answer', 'q'],
    ['ok', 'ok'],
    ['none', 'none'],
    ['an empty box and more text', '☐ Yes ☐ No'],
    ['a word ending in no', 'piano'],
  ];
  it.each(rejects)('rejects %s: %s', (_name, input) => expect(parseBoolean(input)).toBeNull());
});

describe('findBooleans', () => {
  it('reads boxes paired with Yes/No and lone marks', () => {
    const text = 'Pets allowed: [x] Yes [ ] No\nSmoker: ☐ Yes ☒ No\nParking: N\nI agree ☒';
    expect(findBooleans(text).map((m) => [text.slice(m.start, m.end), m.value])).toEqual([
      ['[x] Yes', true],
      ['☒ No', false],
      ['N', false],
      ['☒', true],
    ]);
  });

  const none: [name: string, text: string][] = [
    ['No. as number', 'Policy No. 4411 and Invoice No: 12'],
    ['initials', 'signed by John Y. Smith'],
    ['words containing yes/no', 'yesterday the notary nodded'],
    ['lower-case single letters', 'y n x'],
    ['apostrophe forms', "no's and yes's"],
  ];
  it.each(none)('finds nothing in %s', (_name, text) => expect(findBooleans(text)).toEqual([]));
});
