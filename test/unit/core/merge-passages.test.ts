/** @module Tests for merging a call's touching passages into one. */
import { describe, expect, it } from 'vitest';
import { mergePassages, type SourceSpan } from '../../../src/core/merge-passages.js';

const TEXT = 'Alpha one.\n\nBeta two.\fGamma three. Delta four.';
const span = (documentId: string, start: number, end: number, page?: number): SourceSpan => ({
  documentId,
  start,
  end,
  text: TEXT.slice(start, end),
  ...(page !== undefined ? { page } : {}),
});
const at = (word: string, page?: number) => span('d', TEXT.indexOf(word), TEXT.indexOf(word) + word.length, page);
const alpha = at('Alpha one.'); // 0-10
const beta = at('Beta two.'); // 12-21
const gamma = at('Gamma three.', 2); // 22-34
const delta = at('Delta four.', 2); // 35-46
const textOf = (id: string) => (id === 'd' ? TEXT : undefined);

describe('mergePassages', () => {
  it.each<[string, SourceSpan[], [number, number][]]>([
    ['whitespace between: one passage', [alpha, beta], [[0, 21]]],
    ['a page break between: one passage', [beta, gamma], [[12, 34]]],
    ['a run of touching spans: one passage', [alpha, beta, gamma, delta], [[0, 46]]],
    ['text between: kept apart', [alpha, gamma], [[0, 10], [22, 34]]],
    ['overlap taken once', [span('d', 0, 16), span('d', 12, 21)], [[0, 21]]],
    ['a span inside the previous one is dropped', [span('d', 0, 21), beta], [[0, 21]]],
    ['out of order: kept apart', [beta, alpha], [[12, 21], [0, 10]]],
    ['another document between: kept apart', [alpha, { ...beta, documentId: 'e' }, beta], [[0, 10], [12, 21], [12, 21]]],
  ])('%s', (_name, spans, ranges) => {
    const merged = mergePassages(spans, textOf);
    expect(merged.map((m) => [m.start, m.end])).toEqual(ranges);
    for (const m of merged) if (m.documentId === 'd') expect(m.text).toBe(TEXT.slice(m.start, m.end));
  });

  it('keeps the first page; grounding counts the form feeds inside', () => {
    expect(mergePassages([span('d', 12, 21, 1), gamma], textOf)[0]).toMatchObject({ page: 1, text: 'Beta two.\fGamma three.' });
  });

  it('without the document text, merges only overlapping spans', () => {
    expect(mergePassages([alpha, beta]).map((m) => m.start)).toEqual([0, 12]);
    expect(mergePassages([span('d', 0, 16), span('d', 12, 21)])).toEqual([{ documentId: 'd', start: 0, end: 21, text: TEXT.slice(0, 21) }]);
  });

  it('does not change its input', () => {
    const input = [alpha, beta];
    mergePassages(input, textOf);
    expect(input).toEqual([span('d', 0, 10), span('d', 12, 21)]);
  });
});
