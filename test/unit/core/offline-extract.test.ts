import { describe, expect, it } from 'vitest';
import { extractOffline, type OfflineMatch, type Passage } from '../../../src/core/offline-extract.js';
import type { FieldSpec, FieldValue } from '../../../src/core/types.js';

const MSA = `MASTER SERVICES AGREEMENT

This Master Services Agreement is entered into as of March 3, 2010 (the "Effective Date") by and between
Acme Widgets, Inc. ("Customer") and Globex Corporation ("Provider").

1. PARTIES
   Customer Name: Acme Widgets, Inc.
   Customer Email: legal@acme-widgets.com
   Phone: +1 (415) 555-2671
   Address: 500 Market Street, San Francisco, CA 94105
   Website: www.acme-widgets.com

2. FEES
   Monthly Fee: $12,500.00 per month
   Payment Terms: [ ] Net 15   [x] Net 30   [ ] Net 60
   Number of Licenses: twenty (20)
   Auto-renewal: Yes
   Services: Hosting, Support and Backups

3. TERM
The Initial Term of this Agreement shall be 36 months. Termination Date: ________
This Agreement is governed by the laws of the State of Delaware.

Special Conditions:
Customer may terminate for convenience
on 90 days' written notice.

Signed: ☒ Authorised signatory
`;

const TENANCY = `RESIDENTIAL TENANCY APPLICATION

Tenant Name
Jane Q. Doe

Current Address: Flat 2, 14 Baker Street, London
Postcode: nw1 6xe
Smoker: [ ] Yes [x] No
Pets
☐ Yes ☐ No
Deposit: £1,450
Occupants:
- Jane Q. Doe
- Sam Doe
Move-in date: 01/09/2024

| Item               | Detail             |
|--------------------|--------------------|
| Parking permit     | Yes                |
| Reference number   | TR-20931           |
`;

/** Cuts a document into overlapping passages, as the chunker does, keeping each one's document offset. */
function chunk(documentId: string, text: string, size = 400, overlap = 80, page?: number): Passage[] {
  const out: Passage[] = [];
  for (let start = 0; start < text.length; start += size - overlap) {
    out.push({ documentId, text: text.slice(start, start + size), start, ...(page !== undefined ? { page } : {}) });
    if (start + size >= text.length) break;
  }
  return out;
}

const DOCS: Record<string, string> = { msa: MSA, tenancy: TENANCY };
const msa = chunk('msa', MSA);
const tenancy = chunk('tenancy', TENANCY, 300, 60, 1);

const field = (key: string, label: string, type: FieldSpec['type'], extra: Partial<FieldSpec> = {}): FieldSpec => ({ key, label, type, ...extra });

/** The quote must be the document's own text at the reported offsets. */
function expectGrounded(match: OfflineMatch, docs: Record<string, string> = DOCS): void {
  const { documentId, start, end, quote } = match.source;
  expect(docs[documentId]!.slice(start, end)).toBe(quote);
}

describe('extractOffline: fills from labels', () => {
  const cases: [name: string, spec: FieldSpec, passages: Passage[], value: FieldValue, quote: string][] = [
    ['date before its defined term', field('effective_date', 'Effective Date', 'date'), msa, '2010-03-03', 'March 3, 2010'],
    ['string from a label line', field('customer_name', 'Customer Name', 'string'), msa, 'Acme Widgets, Inc.', 'Acme Widgets, Inc.'],
    ['email from a label line', field('customer_email', 'Customer Email', 'email'), msa, 'legal@acme-widgets.com', 'legal@acme-widgets.com'],
    ['phone from a label line', field('phone', 'Phone', 'phone'), msa, '+14155552671', '+1 (415) 555-2671'],
    ['bare www URL', field('website', 'Website', 'url'), msa, 'https://www.acme-widgets.com', 'www.acme-widgets.com'],
    ['money with words after it', field('monthly_fee', 'Monthly Fee', 'money'), msa, { amount: 12500, currency: 'USD' }, '$12,500.00'],
    ['enum from the ticked box', field('payment_terms', 'Payment Terms', 'enum', { options: ['Net 15', 'Net 30', 'Net 60'] }), msa, 'Net 30', 'Net 30'],
    ['integer from words and figure', field('licenses', 'Number of Licenses', 'integer'), msa, 20, 'twenty (20)'],
    ['boolean word', field('auto_renewal', 'Auto-renewal', 'boolean'), msa, true, 'Yes'],
    ['list with commas and a final and', field('services', 'Services', 'list'), msa, ['Hosting', 'Support', 'Backups'], 'Hosting, Support and Backups'],
    ['number in prose after the label', field('initial_term', 'Initial Term', 'number', { description: 'Length of the initial term in months' }), msa, 36, '36'],
    ['enum option in prose after the label', field('governing_law', 'Governed by', 'enum', { options: ['New York', 'Delaware', 'California'] }), msa, 'Delaware', 'Delaware'],
    ['text paragraph below its label', field('special_conditions', 'Special Conditions', 'text'), msa, "Customer may terminate for convenience\non 90 days' written notice.", "Customer may terminate for convenience\non 90 days' written notice."],
    ['boolean from a ticked box before the label', field('signed', 'Authorised signatory', 'boolean'), msa, true, '☒ Authorised signatory'],
    ['US ZIP for a zip-keyed string field', field('zip', 'ZIP', 'string'), msa, '94105', '94105'],
    ['string on the line below its label', field('tenant_name', 'Tenant Name', 'string'), tenancy, 'Jane Q. Doe', 'Jane Q. Doe'],
    ['UK postcode normalised', field('postcode', 'Postcode', 'string'), tenancy, 'NW1 6XE', 'nw1 6xe'],
    ['boolean from Yes/No boxes', field('smoker', 'Smoker', 'boolean'), tenancy, false, '[x] No'],
    ['list from bullets below the label', field('occupants', 'Occupants', 'list'), tenancy, ['Jane Q. Doe', 'Sam Doe'], 'Jane Q. Doe\n- Sam Doe'],
    ['boolean in a Markdown table', field('parking', 'Parking permit', 'boolean'), tenancy, true, 'Yes'],
    ['string in a Markdown table', field('ref', 'Reference number', 'string', { pattern: '^TR-\\d+$' }), tenancy, 'TR-20931', 'TR-20931'],
    ['key words stand in for the label', field('monthly_fee', 'Recurring charge', 'money'), msa, { amount: 12500, currency: 'USD' }, '$12,500.00'],
  ];
  it.each(cases)('%s', (_name, spec, passages, value, quote) => {
    const match = extractOffline(spec, passages);
    expect(match?.value).toEqual(value);
    expect(match?.source.quote).toBe(quote);
    expectGrounded(match!);
  });
});

describe('extractOffline: says nothing rather than something wrong', () => {
  const cases: [name: string, spec: FieldSpec, passages: Passage[]][] = [
    ['string named only in prose', field('provider', 'Provider', 'string'), msa],
    ['string whose label is absent', field('landlord', 'Landlord Name', 'string'), tenancy],
    ['blank on the form, though a date exists elsewhere', field('termination_date', 'Termination Date', 'date'), msa],
    ['neither box ticked', field('pets', 'Pets', 'boolean'), tenancy],
    ['several unlabelled emails', field('billing_email', 'Billing contact', 'email'), chunk('x', 'Write to a@acme.com or b@acme.com.')],
    ['number with no label near it', field('headcount', 'Headcount', 'number'), chunk('x', 'We have 36 staff and 4 offices.')],
    ['enum value outside the options', field('terms', 'Payment Terms', 'enum', { options: ['Net 15', 'Net 30'] }), chunk('x', 'Payment Terms: Net 90')],
    ['enum with two options and no box', field('terms', 'Payment Terms', 'enum', { options: ['Net 15', 'Net 30'] }), chunk('x', 'Payment Terms: Net 15 or Net 30, to be agreed')],
    ['enum with every box empty', field('terms', 'Payment Terms', 'enum', { options: ['Net 15', 'Net 30'] }), chunk('x', 'Payment Terms: [ ] Net 15  [ ] Net 30')],
    ['boolean word far from the label', field('smoker', 'Smoker', 'boolean'), chunk('x', 'The Smoker policy applies to all tenants, and there is no exception.')],
    ['other keys containing the label, two dates', field('date', 'Date', 'date'), chunk('x', 'Termination Date: 2012-01-01\nEffective Date: 2010-03-03')],
    ['integer field given a fraction', field('licenses', 'Licenses', 'integer'), chunk('x', 'Licenses: 2.5')],
    ['string failing its pattern', field('ref', 'Reference', 'string', { pattern: '^TR-\\d+$' }), chunk('x', 'Reference: see annex')],
    ['list line without separators', field('services', 'Services', 'list'), chunk('x', 'Services: Hosting')],
    ['date in prose across a sentence end, with two dates', field('effective', 'Effective Date', 'date'), chunk('x', 'The Effective Date is defined below. Payment is due on March 3, 2010 and again on April 1, 2011.')],
    ['money without a currency', field('rent', 'Rent', 'money'), chunk('x', 'Rent: 1,200 per month')],
    ['template placeholder', field('customer_name', 'Customer Name', 'string'), chunk('x', 'Customer Name: [Insert name]\nNotes: none')],
    ['N/A on the form', field('customer_name', 'Customer Name', 'string'), chunk('x', 'Customer Name: N/A\nContact: legal@acme.com')],
    ['no passages', field('effective_date', 'Effective Date', 'date'), []],
    ['unlabelled bare digits are no phone', field('phone', 'Phone', 'phone'), chunk('x', 'Account 0123456789 is active.')],
    ['five digits with no state or label are no ZIP', field('zip', 'ZIP code', 'string'), chunk('x', 'Order 94105 shipped.')],
    ['bare domain in prose is no URL', field('website', 'Website', 'url'), chunk('x', 'Find us at acme.com any time.')],
    ['text named only in prose', field('notes', 'Notes', 'text'), chunk('x', 'Notes are kept by the Provider for seven years.')],
    ['string value that is another key', field('name', 'Name', 'string'), chunk('x', 'Name: Address: 1 High St')],
    ['label line value that is not a date, and no other date', field('effective', 'Effective Date', 'date'), chunk('x', 'Effective Date: upon signature')],
    ['label line answered in words blocks the only-date rule', field('effective', 'Effective Date', 'date'), chunk('x', 'Effective Date: upon signature\nInvoice issued 3 March 2010.')],
    ['one-letter option in prose', field('grade', 'Grade', 'enum', { options: ['A', 'B'] }), chunk('x', 'The Grade is a matter for the board.')],
    ['heading followed by a sentence', field('term', 'Term', 'string'), chunk('x', '3. TERM\nThe term is 36 months. It renews.')],
    ['heading followed by a long line', field('term', 'Term', 'string'), chunk('x', `3. TERM\n${'The initial term of this agreement runs from the effective date until '.repeat(2)}`)],
  ];
  it.each(cases)('%s', (_name, spec, passages) => expect(extractOffline(spec, passages)).toBeNull());
});

describe('extractOffline: distinctive values without a label', () => {
  it('takes the only email in all passages, counting overlapping chunks once', () => {
    const doc = `${'Background text. '.repeat(20)}Questions go to help@globex.com at any time.${' More text.'.repeat(20)}`;
    const passages = chunk('d', doc, 200, 100);
    const match = extractOffline(field('support_email', 'Support contact', 'email'), passages)!;
    expect(match.value).toBe('help@globex.com');
    expectGrounded(match, { d: doc });
  });

  it('takes the only date when the label is missing', () => {
    const match = extractOffline(field('visit_on', 'Visit date', 'date'), chunk('d', 'Seen in London on 3 March 2010 by both parties.'))!;
    expect(match).toMatchObject({ value: '2010-03-03', source: { quote: '3 March 2010' } });
  });

  it('does not guess among two different values', () => {
    expect(extractOffline(field('visit_on', 'Visit date', 'date'), chunk('d', 'Seen 3 March 2010, again 4 March 2011.'))).toBeNull();
  });

  it('does not guess for a kind that is not distinctive', () => {
    expect(extractOffline(field('seats', 'Seats', 'integer'), chunk('d', 'There are 12 of them.'))).toBeNull();
  });
});

describe('extractOffline: ranking and offsets', () => {
  it('prefers a label line over a prose mention', () => {
    const doc = 'The Start Date of the works may move to 1 May 2011.\nStart Date: 2011-06-01';
    const match = extractOffline(field('start', 'Start Date', 'date'), chunk('d', doc))!;
    expect(match.value).toBe('2011-06-01');
  });

  it('breaks ties by passage order, then offset', () => {
    const a: Passage = { documentId: 'b', text: 'Invoice Date: 2011-02-02', start: 500 };
    const b: Passage = { documentId: 'a', text: 'Invoice Date: 2011-01-01\nInvoice Date: 2011-03-03', start: 0 };
    expect(extractOffline(field('inv', 'Invoice Date', 'date'), [a, b])?.source).toEqual({
      documentId: 'b',
      quote: '2011-02-02',
      start: 514,
      end: 524,
    });
    expect(extractOffline(field('inv', 'Invoice Date', 'date'), [b, a])?.value).toBe('2011-01-01');
  });

  it('lets description words choose between equal label lines', () => {
    const doc = 'Date: 2011-01-01 (invoice issued)\nDate: 2011-02-15 (signature of the customer)';
    const spec = field('date', 'Date', 'date', { description: 'The date of the customer signature' });
    expect(extractOffline(spec, chunk('d', doc))?.value).toBe('2011-02-15');
  });

  it('reports document offsets and the page of a later passage', () => {
    const doc = `${'x'.repeat(1000)}\nRenewal Date: 5 June 2015\n`;
    const passages = chunk('d', doc, 300, 50, 4);
    const match = extractOffline(field('renewal', 'Renewal Date', 'date'), passages)!;
    expect(match.source).toEqual({ documentId: 'd', quote: '5 June 2015', start: 1015, end: 1026, page: 4 });
    expectGrounded(match, { d: doc });
  });

  it('is deterministic', () => {
    const spec = field('payment_terms', 'Payment Terms', 'enum', { options: ['Net 15', 'Net 30', 'Net 60'] });
    expect(extractOffline(spec, msa)).toEqual(extractOffline(spec, msa));
  });
});

describe('extractOffline: document conventions a field asks for', () => {
  const NDA = `CONFIDENTIALITY AGREEMENT
March 21, 2011
This Confidentiality Agreement (this "Agreement") is made and entered into as of April 1, 2011, by and between
Acme Widgets, Inc., a corporation organized under the laws of the State of South Carolina, and Globex LLC.
1. Definitions. "Information" means all data disclosed under this Agreement.
\fMarch 21, 2011
2. Term. This Agreement shall expire on December 31, 2013.
3. Governing Law; Jurisdiction: This Agreement shall be governed by and construed in accordance with the laws
of the State of New York. The parties submit to the courts of the State of Delaware.
`;
  const REPORT = `Registered number: 2073465
Charity number: 519332
Trustees' report and financial statements for the year ended 31 March 2016
Registered office
36 Brenkley Way
Newcastle upon Tyne
NE13 6DS
Auditors
Smith & Co LLP, 1 High Street, Leeds LS1 4AP
Statement of financial activities for the year ended 31 March 2016 (comparatives: year ended 31 March 2015)
Balance sheet as at 31 March 2016
`;
  const docs = { nda: NDA, report: REPORT };
  const nda = chunk('nda', NDA, 250, 40);
  const report = chunk('report', REPORT, 250, 40);

  const cases: [name: string, spec: FieldSpec, passages: Passage[], value: FieldValue, quote: string][] = [
    ['effective date from the dating clause, not the page header', field('effective_date', 'Effective date', 'date', { description: 'Date from which the agreement is legally binding.' }), nda, '2011-04-01', 'April 1, 2011'],
    ['jurisdiction from the governing-law clause, not the incorporation or the courts', field('jurisdiction', 'Jurisdiction', 'string', { description: 'US state or country whose law governs the agreement.' }), nda, 'New York', 'New York'],
    ['charity number, not the company number', field('charity_number', 'Charity number', 'string', { description: 'Registered charity number. Format: digits only (6-7 digits).' }), report, '519332', '519332'],
    ['report date from the repeated period end', field('report_date', 'Report date', 'date', { description: 'Reporting date (end of the financial period) of the annual report.' }), report, '2016-03-31', '31 March 2016'],
    ["postcode of the charity's own address, not its auditor's", field('address_postcode', 'Address postcode', 'string', { description: "UK postcode of the charity's own address." }), report, 'NE13 6DS', 'NE13 6DS'],
  ];
  it.each(cases)('%s', (_name, spec, passages, value, quote) => {
    const match = extractOffline(spec, passages)!;
    expect(match.value).toEqual(value);
    expect(match.source.quote).toBe(quote);
    expectGrounded(match, docs);
    expect(match.confidence).toBeGreaterThanOrEqual(0.5);
    expect(match.confidence).toBeLessThanOrEqual(1);
  });

  const none: [name: string, spec: FieldSpec, passages: Passage[]][] = [
    ['a page-header date alone is not the effective date', field('effective_date', 'Effective date', 'date'), chunk('h', 'ACME CORP\nMarch 21, 2011\n1. Definitions.\n\fACME CORP\nMarch 21, 2011\n2. Term.')],
    ['"laws of physics" is not a jurisdiction', field('jurisdiction', 'Jurisdiction', 'string', { description: 'State whose law governs the agreement.' }), chunk('p', 'Nothing here shall be construed to defy the laws of physics.')],
    ['the only date in a letter is not thereby its effective date', field('effective_date', 'Effective date', 'date'), chunk('l', 'We met on 3 March 2010 to discuss the proposal.')],
    ['a company number is not a charity number', field('charity_number', 'Charity number', 'string'), chunk('c', 'Company No: 3303791')],
  ];
  it.each(none)('%s', (_name, spec, passages) => expect(extractOffline(spec, passages)).toBeNull());
});

describe('extractOffline: the template locale', () => {
  const tenancyDate = field('start', 'Move-in date', 'date');
  const cases: [name: string, options: Parameters<typeof extractOffline>[2], value: FieldValue][] = [
    ['DMY reads 01/09/2024 as 1 September', { dateOrder: 'DMY' }, '2024-09-01'],
    ['MDY reads 01/09/2024 as 9 January', { dateOrder: 'MDY' }, '2024-01-09'],
    ['no date order: the ambiguous date is not converted', {}, null],
  ];
  it.each(cases)('%s', (_name, options, value) => expect(extractOffline(tenancyDate, tenancy, options)?.value ?? null).toEqual(value));

  it('normalises a national phone number to E.164 through the region', () => {
    const passages = chunk('p', 'Accounts phone: 0117 496 0400');
    const phone = field('accounts_phone', 'Accounts phone', 'phone');
    expect(extractOffline(phone, passages)?.value).toBe('01174960400');
    expect(extractOffline(phone, passages, { region: 'GB' })?.value).toBe('+441174960400');
  });
});

describe('extractOffline: confidence', () => {
  it('is highest for a label line and lowest for the only value of its kind', () => {
    const labelled = extractOffline(field('email', 'Customer Email', 'email'), msa)!;
    const only = extractOffline(field('contact', 'Contact', 'email'), chunk('x', 'Write to legal@acme-widgets.com any time.'))!;
    expect(labelled.confidence).toBeGreaterThan(only.confidence);
    expect(only.confidence).toBeLessThan(0.5);
  });
});
