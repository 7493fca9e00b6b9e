/** @module Unit tests of the gold-table answer sources and Fillflow's {value, quote} convention. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { goldAnswers, loadGoldTable, nullAnswers, parseGoldTable } from '../../../src/emulator/gold-answers.js';
import type { AnswerRequest } from '../../../src/emulator/types.js';

const field = { type: 'object', properties: { value: {}, quote: {} } };
const schema = { type: 'object', properties: { tenant: field, rent: field, start: field, pets: field } };

function request(promptText: string, extra: Partial<AnswerRequest> = {}): AnswerRequest {
  return { model: 'm', promptText, systemText: '', schema, generationConfig: {}, ...extra };
}

const gold = {
  tenant: { value: 'Acme Corp', quote: 'Tenant: ACME Corp.' },
  rent: { value: { amount: 1200, currency: 'USD' }, quote: '$1,200 per month' },
  start: { value: '2026-01-01' },
};

describe('goldAnswers', () => {
  it('answers every schema key: gold when its quote is in the prompt, null otherwise', () => {
    const answer = goldAnswers(gold)(request('Lease.\ntenant:   acme corp.\nRent is $1,200\nper month.'));
    expect(answer).toEqual({
      tenant: { value: 'Acme Corp', quote: 'Tenant: ACME Corp.' },
      rent: { value: { amount: 1200, currency: 'USD' }, quote: '$1,200 per month' },
      start: { value: null, quote: null },
      pets: { value: null, quote: null },
    });
  });

  it('without a quote, looks for a text value in the prompt', () => {
    const answer = goldAnswers(gold)(request('Starts 2026-01-01.')) as Record<string, unknown>;
    expect(answer.start).toEqual({ value: '2026-01-01', quote: null });
  });

  it('does not take evidence from the system instruction', () => {
    const answer = goldAnswers(gold)(request('nothing here', { systemText: 'Tenant: ACME Corp.' })) as Record<string, unknown>;
    expect(answer.tenant).toEqual({ value: null, quote: null });
  });

  it('with oracle off, answers every gold field whatever the prompt says', () => {
    const answer = goldAnswers(gold, { oracle: false })(request('nothing here')) as Record<string, unknown>;
    expect(answer.tenant).toEqual({ value: 'Acme Corp', quote: 'Tenant: ACME Corp.' });
    expect(answer.start).toEqual({ value: '2026-01-01', quote: null });
    expect(answer.pets).toEqual({ value: null, quote: null });
  });

  it('answers {} when the request has no schema', () => {
    expect(goldAnswers(gold)(request('x', { schema: undefined }))).toEqual({});
  });

  it('is not fooled by inherited keys', () => {
    const s = { type: 'object', properties: { toString: field } };
    expect(goldAnswers(gold)(request('x', { schema: s }))).toEqual({ toString: { value: null, quote: null } });
  });
});

describe('nullAnswers', () => {
  it('answers every field null', () => {
    expect(nullAnswers()(request('Tenant: ACME Corp.'))).toEqual({
      tenant: { value: null, quote: null },
      rent: { value: null, quote: null },
      start: { value: null, quote: null },
      pets: { value: null, quote: null },
    });
  });
});

describe('parseGoldTable and loadGoldTable', () => {
  it('loads a gold file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gold-'));
    const path = join(dir, 'gold.json');
    writeFileSync(path, JSON.stringify(gold));
    expect(loadGoldTable(path)).toEqual(gold);
  });

  const bad: Array<{ name: string; data: unknown; error: RegExp }> = [
    { name: 'an array', data: [], error: /expected an object keyed by field key/ },
    { name: 'an entry without value', data: { tenant: { quote: 'x' } }, error: /tenant: needs \{ "value"/ },
    { name: 'an entry that is not an object', data: { tenant: 'Acme' }, error: /tenant: needs/ },
    { name: 'a quote that is not text', data: { tenant: { value: 'a', quote: 3 } }, error: /tenant\.quote: must be a string/ },
  ];
  for (const c of bad) it(`refuses ${c.name}`, () => expect(() => parseGoldTable(c.data)).toThrow(c.error));

  it('accepts a null value and a null quote', () => {
    expect(parseGoldTable({ pets: { value: null, quote: null } })).toEqual({ pets: { value: null, quote: null } });
  });
});
