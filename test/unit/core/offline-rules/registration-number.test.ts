import { describe, expect, it } from 'vitest';
import { findRegistrationNumbers, identifierValue, type RegistrationOptions } from '../../../../src/core/offline-rules/registration-number.js';

const charity: RegistrationOptions = { registers: ['charity'], digits: { min: 6, max: 7 } };
const read = (text: string, options: RegistrationOptions = charity) => findRegistrationNumbers(text, options).map((m) => [m.value, text.slice(m.start, m.end)]);

describe('findRegistrationNumbers: must match', () => {
  const cases: [name: string, text: string, value: string, options?: RegistrationOptions][] = [
    ['label line', 'Charity number: 519332', '519332'],
    ['registered charity no', 'REGISTERED CHARITY NO 504310', '504310'],
    ['label and value on separate lines', 'Charity registered\nnumber\n519332', '519332'],
    ['an OCR slip in "number"', 'Registered charitY numher: 300703', '300703'],
    ['registration between', 'Charity registration no. 1039369', '1039369'],
    ['in brackets after the register', 'registered as a charity in England\nand Wales (number 1160558), Scotland', '1160558'],
    ['company number', 'Company No. 09347608', '09347608', { registers: ['company'], digits: { min: 8, max: 8 } }],
    ['a VAT number with its prefix', 'VAT reg no: GB 123 4567 89', 'GB 123 4567 89', { registers: ['vat'], digits: null }],
    ['an EIN', 'Employer Identification Number: 12-3456789', '123456789', { registers: ['employer identification'], digits: { min: 9, max: 9 } }],
  ];
  it.each(cases)('%s', (_name, text, value, options) => expect(read(text, options ?? charity).map(([v]) => v)).toEqual([value]));
});

describe('findRegistrationNumbers: must not match', () => {
  const cases: [name: string, text: string][] = [
    ['another register', 'Company No: 3303791'],
    ['a registered number with no register named', 'Registered number: 2073465'],
    ['too many digits for the field', 'Charity number: 123456789'],
    ['too few digits', 'Charity number: 1234'],
    ['letters where digits are asked', 'Charity number: SC045584'],
    ['a word after "no"', 'The charity is not registered for VAT since 2001'],
    ['the register in prose with a distant number', 'The charity has a number of traditions dating back to 1901 and earlier.'],
    ['a phone number after a register', 'Charity helpline: 0800 123 4567'],
  ];
  it.each(cases)('%s', (_name, text) => expect(read(text)).toEqual([]));
});

describe('identifierValue', () => {
  const cases: [written: string, value: string | null][] = [
    ['519332', '519332'],
    ['No. 504310', '504310'],
    [' 1160558.', '1160558'],
    ['Acme Charity', null],
    ['123', null],
    ['519332 and 123456', null],
  ];
  it.each(cases)('%s', (written, value) => expect(identifierValue(written, charity.digits)).toBe(value));
});
