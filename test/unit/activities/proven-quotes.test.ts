/** @module Which answers of a fill teach field memory: grounded Gemini (or cached) values only. */
import { describe, expect, it } from 'vitest';
import { provenQuotes } from '../../../src/core/proven-quotes.js';
import type { FieldResult } from '../../../src/core/types.js';

const source = (quote: string) => ({ documentId: 'doc-1', quote, start: 0, end: quote.length });
const result = (over: Partial<FieldResult>): FieldResult => ({
  key: 'k',
  value: 'v',
  status: 'filled',
  method: 'gemini',
  sources: [source('governed by the laws of Ohio')],
  grounding: 'exact',
  ...over,
});

describe('provenQuotes', () => {
  it.each<[string, Partial<FieldResult>, number]>([
    ['an exactly grounded Gemini value', {}, 1],
    ['a value grounded up to case and spacing', { grounding: 'normalized' }, 1],
    ['a cached Gemini value', { method: 'cache' }, 1],
    ['a fuzzy quote: close is not proven', { grounding: 'fuzzy' }, 0],
    ['an ungrounded value', { grounding: 'none' }, 0],
    ['an offline guess', { method: 'offline', grounding: undefined }, 0],
    ['a fallback', { status: 'fallback' }, 0],
    ['a field not found', { status: 'not_found', value: null, sources: [] }, 0],
    ['an invalid value', { status: 'invalid' }, 0],
    ['a one-character quote', { sources: [source('Y')] }, 0],
    ['a quote longer than a clause', { sources: [source('x'.repeat(1_001))] }, 0],
  ])('%s', (_name, over, count) => {
    expect(provenQuotes([result(over)])).toHaveLength(count);
  });

  it('keeps each source of a value with its field and document', () => {
    const r = result({ key: 'party', sources: [source('Acme Inc.'), { ...source('Beta LLC'), documentId: 'doc-2' }] });
    expect(provenQuotes([r])).toEqual([
      { fieldKey: 'party', documentId: 'doc-1', quote: 'Acme Inc.' },
      { fieldKey: 'party', documentId: 'doc-2', quote: 'Beta LLC' },
    ]);
  });
});
