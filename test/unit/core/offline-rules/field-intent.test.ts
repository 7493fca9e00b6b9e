import { describe, expect, it } from 'vitest';
import { fieldIntents } from '../../../../src/core/offline-rules/field-intent.js';
import type { FieldSpec } from '../../../../src/core/types.js';

const f = (key: string, label: string, type: FieldSpec['type'], description?: string, examples?: string[]): FieldSpec => ({
  key, label, type, ...(description ? { description } : {}), ...(examples ? { examples } : {}),
});
const kinds = (field: FieldSpec, postcode = false) => fieldIntents(field, postcode).map((i) => (i.kind === 'agreement-date' ? `${i.kind}:${i.prefer}` : i.kind));

describe('fieldIntents', () => {
  const cases: [name: string, field: FieldSpec, expected: string[], postcode?: boolean][] = [
    ['effective date', f('start', 'Effective date', 'date', 'Date from which the agreement is legally binding.'), ['agreement-date:effective']],
    ['date of the contract', f('agreement_date', 'Agreement date', 'date', 'Date of the contract (date it was made/signed).'), ['agreement-date:made']],
    ['contract start date', f('contract_start_date', 'Contract start date', 'date'), ['agreement-date:effective']],
    ['reporting date', f('report_date', 'Report date', 'date', 'Reporting date (end of the financial period) of the annual report.'), ['period-end']],
    ['governing law', f('law', 'Governing law', 'string'), ['governing-law']],
    ['jurisdiction described', f('jurisdiction', 'Jurisdiction', 'string', 'US state or country whose law governs the agreement.'), ['governing-law']],
    ['charity number', f('charity_number', 'Charity number', 'string', 'Registered charity number. Format: digits only (6-7 digits).'), ['registration-number']],
    ['VAT number', f('vat', 'VAT number', 'string'), ['registration-number']],
    ['postcode', f('postcode', 'Postcode', 'string', "The organisation's own address postcode."), ['address-postcode'], true],
    // What the rules must not answer:
    ['an expiry date', f('expiration_date', 'Expiration date', 'date', 'Date the initial term expires.'), []],
    ['a contract end date', f('contract_end_date', 'Contract end date', 'date'), []],
    ['an incorporation date', f('incorporation_date', 'Incorporation date', 'date'), []],
    ['a date of birth', f('dob', 'Date of birth', 'date'), []],
    ['a governing-law word on a date field', f('law_date', 'Date the governing law changed', 'date'), []],
    ['a number without a register', f('invoice_number', 'Invoice number', 'string'), []],
    ['a charity name', f('charity_name', 'Charity name', 'string', 'Name of the charitable organisation.'), []],
    ['a party', f('party', 'Party', 'list', 'A party to the agreement.'), []],
  ];
  it.each(cases)('%s', (_name, field, expected, postcode) => expect(kinds(field, postcode)).toEqual(expected));

  it('reads the digit count from the description, else from the examples', () => {
    const described = fieldIntents(f('n', 'Charity number', 'string', 'Format: digits only (6-7 digits).'), false)[0];
    expect(described).toMatchObject({ digits: { min: 6, max: 7 } });
    const shown = fieldIntents(f('n', 'Company number', 'string', undefined, ['09347608']), false)[0];
    expect(shown).toMatchObject({ digits: { min: 7, max: 9 } });
    const free = fieldIntents(f('n', 'VAT number', 'string', undefined, ['GB 123 4567 89']), false)[0];
    expect(free).toMatchObject({ digits: null });
  });
});
