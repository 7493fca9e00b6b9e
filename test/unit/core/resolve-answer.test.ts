import { describe, expect, it } from 'vitest';
import { parseAnswer, resolveAnswers } from '../../../src/core/resolve-answer.js';
import type { FieldSpec } from '../../../src/core/types.js';

const fields: FieldSpec[] = [
  { key: 'start', label: 'Start date', type: 'date' },
  { key: 'limit', label: 'Credit limit', type: 'money' },
  { key: 'count', label: 'Employees', type: 'integer' },
  { key: 'law', label: 'Governing law', type: 'string' },
];
const passages = [{ documentId: 'd', start: 10, text: 'Starts on 1 April 2024. Credit limit USD 250,000. Laws of England.' }];

describe('parseAnswer', () => {
  it.each([
    ['undefined', undefined, /empty/],
    ['empty', '  ', /empty/],
    ['truncated JSON', '{"start": {"value": "2024-', /not valid JSON/],
    ['an array', '[1,2]', /not a JSON object/],
    ['a string', '"hello"', /not a JSON object/],
  ])('rejects %s', (_n, text, reason) => {
    const r = parseAnswer(text, ['start']);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('accepts a fenced answer and flattened entries', () => {
    const r = parseAnswer('```json\n{"start": "2024-04-01", "law": {"value": "England", "quote": "Laws of England"}}\n```', ['start', 'law', 'count']);
    expect(r.ok && [...r.answers]).toEqual([
      ['start', { value: '2024-04-01', quote: null }],
      ['law', { value: 'England', quote: 'Laws of England' }],
    ]);
  });
});

describe('resolveAnswers', () => {
  it('validates by type, grounds quotes, and never passes an ungrounded value off as proven', () => {
    const r = parseAnswer(
      JSON.stringify({
        start: { value: '2024-04-01', quote: '1 April 2024' },
        limit: { value: { amount: 250000, currency: 'usd' }, quote: 'USD 250,000' },
        count: { value: 'about twelve', quote: null },
        law: { value: 'England', quote: 'laws of Scotland' },
      }),
      fields.map((f) => f.key),
    );
    if (!r.ok) throw new Error(r.reason);
    const [start, limit, count, law] = resolveAnswers(fields, r.answers, passages, 'gemini');
    expect(start).toMatchObject({ value: '2024-04-01', status: 'filled', grounding: 'exact', sources: [{ quote: '1 April 2024', start: 20, end: 32 }] });
    expect(limit).toMatchObject({ value: { amount: 250000, currency: 'USD' }, status: 'filled' });
    expect(count).toMatchObject({ value: null, status: 'invalid' });
    expect(count!.reason).toBeTruthy();
    // The quote is not there, but the value is a verbatim span.
    expect(law).toMatchObject({ value: 'England', status: 'filled', sources: [{ quote: 'England' }] });
  });

  it('marks a missing field not_found and an unlocatable quote ungrounded', () => {
    const r = parseAnswer(JSON.stringify({ start: { value: '2030-01-01', quote: 'on 1 January 2030' } }), ['start', 'law']);
    if (!r.ok) throw new Error(r.reason);
    const [start, , , law] = resolveAnswers(fields, r.answers, passages, 'gemini');
    expect(start).toMatchObject({ status: 'filled', sources: [], grounding: 'none' });
    expect(start!.reason).toMatch(/ungrounded/);
    expect(law!.grounding).toBeUndefined();
    expect(law).toMatchObject({ status: 'not_found', value: null });
  });
});
