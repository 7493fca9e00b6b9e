import { describe, expect, it } from 'vitest';
import { groundQuote, type GroundingPassage } from '../../../src/core/ground-quote.js';

const doc = 'Intro.\fThe agreement starts on 1 April 2024 (the “Start Date”) and ends on\n31 March 2027.';
const passages: GroundingPassage[] = [
  { documentId: 'd1', start: 0, text: 'Nothing relevant here.' },
  { documentId: 'd2', start: 7, text: doc.slice(7), page: 2 },
];

describe('groundQuote', () => {
  it('finds an exact quote and returns document offsets', () => {
    const g = groundQuote('1 April 2024', passages)!;
    expect(g.match).toBe('exact');
    expect(doc.slice(g.source.start, g.source.end)).toBe('1 April 2024');
    expect(g.source).toMatchObject({ documentId: 'd2', quote: '1 April 2024', page: 2 });
  });

  it('matches across case, line breaks and typographic quotes, returning the document\'s own text', () => {
    const g = groundQuote('ENDS ON 31 march 2027', passages)!;
    expect(g.match).toBe('normalized');
    expect(g.source.quote).toBe('ends on\n31 March 2027');
    expect(doc.slice(g.source.start, g.source.end)).toBe(g.source.quote);
    const q = groundQuote('(the "Start Date")', passages)!;
    expect(q.source.quote).toBe('(the “Start Date”)');
  });

  it.each([[''], ['   '], ['1 April 2025'], ['a quote that is nowhere']])('does not ground %j', (quote) => {
    expect(groundQuote(quote, passages)).toBeUndefined();
  });

  it('keeps offsets right after letters whose lower case is longer', () => {
    const text = 'İstanbul office: Kadıköy 34710';
    const g = groundQuote('kadıköy 34710', [{ documentId: 'd', start: 100, text }])!;
    expect(text.slice(g.source.start - 100, g.source.end - 100)).toBe('Kadıköy 34710');
  });
});

describe('groundQuote, fuzzy', () => {
  const text = 'The Supplier shall deliver the Goods within thirty (30) days of the Purchase Order.';
  const p: GroundingPassage[] = [{ documentId: 'd', start: 50, text, page: 3 }];

  it.each([
    ['a dropped letter', 'shall delver the Goods within thirty (30) days'],
    ['a changed word ending', 'shall delivers the Goods within thirty (30) days'],
    ['a missing comma and parenthesis', 'deliver the Goods within thirty 30) days of the'],
  ])('finds a quote with %s, returning the document\'s own span', (_name, quote) => {
    const g = groundQuote(quote, p)!;
    expect(g.match).toBe('fuzzy');
    expect(text.slice(g.source.start - 50, g.source.end - 50)).toBe(g.source.quote);
    expect(g.source.quote).toMatch(/deliver.*days/);
    expect(g.source.page).toBe(3);
  });

  it.each([
    ['a different number', 'deliver the Goods within thirty (31) days'],
    ['a short quote', 'thirty (3O)'],
    ['a different sentence', 'The Buyer may terminate this Agreement at any time'],
  ])('does not ground %s', (_name, quote) => {
    expect(groundQuote(quote, p)).toBeUndefined();
  });
});
