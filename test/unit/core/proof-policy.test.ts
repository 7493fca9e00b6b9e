/** Unproven values: counted apart by default, `invalid` (with what was answered) when proof is asked for. */
import { describe, expect, it } from 'vitest';
import { checkFillInput } from '../../../src/core/fill-options.js';
import { applyProofPolicy, countUnproven, isUnproven, unprovenPolicy } from '../../../src/core/proof-policy.js';
import type { FieldResult } from '../../../src/core/types.js';
import { validateTemplate } from '../../../src/core/validate-template.js';

const source = { documentId: 'd', quote: 'ACME Ltd', start: 0, end: 8 };
const proven: FieldResult = { key: 'name', value: 'ACME Ltd', status: 'filled', method: 'gemini', sources: [source], grounding: 'exact' };
const fuzzy: FieldResult = { ...proven, key: 'alias', grounding: 'fuzzy' };
const unproven: FieldResult = { key: 'vat', value: 'GB 1', status: 'filled', method: 'gemini', sources: [], grounding: 'none', reason: 'ungrounded: the quote is not in the passages' };
const notFound: FieldResult = { key: 'fax', value: null, status: 'not_found', method: 'gemini', sources: [] };
const offline: FieldResult = { key: 'postcode', value: 'BS1 4RQ', status: 'fallback', method: 'offline', sources: [source] };

describe('proof policy', () => {
  it.each([
    ['a proven value', proven, false],
    ['a fuzzy match (a span was found)', fuzzy, false],
    ['a value no passage proves', unproven, true],
    ['nothing found', notFound, false],
    ['an offline value (it carries its own quote)', offline, false],
  ])('%s is unproven: %s', (_name, field, expected) => {
    expect(isUnproven(field)).toBe(expected);
  });

  it('keeps unproven values by default, and counts them', () => {
    const fields = [proven, unproven, notFound];
    expect(applyProofPolicy(fields, unprovenPolicy(undefined, undefined))).toEqual(fields);
    expect(countUnproven(fields)).toBe(1);
  });

  it('makes them invalid, without their value and with what was answered, when proof is asked for', () => {
    const [a, b, c] = applyProofPolicy([proven, unproven, notFound], 'invalid');
    expect(a).toEqual(proven);
    expect(c).toEqual(notFound);
    expect(b).toMatchObject({ key: 'vat', value: null, status: 'invalid', method: 'gemini' });
    expect(b!.grounding).toBeUndefined();
    expect(b!.reason).toMatch(/^unproven: "GB 1" was answered but the quote is not in the passages; give the quote/);
  });

  it("lets the fill's policy win over the template's", () => {
    expect(unprovenPolicy('keep', 'invalid')).toBe('keep');
    expect(unprovenPolicy(undefined, 'invalid')).toBe('invalid');
    expect(unprovenPolicy('invalid', undefined)).toBe('invalid');
  });

  it('is checked where it is set: in a template and in a fill', () => {
    expect(validateTemplate({ id: 't', fields: [{ key: 'a', type: 'string' }], unproven: 'invalid' }).unproven).toBe('invalid');
    expect(() => validateTemplate({ id: 't', fields: [{ key: 'a', type: 'string' }], unproven: 'reject' })).toThrow(/unproven.*"reject" is not a policy/);
    expect(checkFillInput({ fillId: 'f', templateId: 't', documentIds: ['d'], options: { unproven: 'invalid' } }).options.unproven).toBe('invalid');
    expect(() => checkFillInput({ fillId: 'f', templateId: 't', documentIds: ['d'], options: { unproven: 'maybe' } })).toThrow(/options\.unproven must be "keep" or "invalid"/);
  });
});
