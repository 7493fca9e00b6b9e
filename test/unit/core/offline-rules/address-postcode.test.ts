import { describe, expect, it } from 'vitest';
import { findAddressPostcodes } from '../../../../src/core/offline-rules/address-postcode.js';

const read = (text: string, documentOffset = 5_000) =>
  findAddressPostcodes(text, { documentOffset }).map((m) => [m.rule, m.value, text.slice(m.start, m.end)]);

describe('findAddressPostcodes: must match', () => {
  const cases: [name: string, text: string, rule: string, value: string][] = [
    ['registered office block', 'Registered office\nButtress House\n36 Brenkley Way\nNewcastle upon Tyne\nNE13 6DS\nExecutive team', 'address-label', 'NE13 6DS'],
    ['principal address', 'Principal address\nUnit 4 Hill Farm\nKirby Road\nNorwich\nNR14 7DU\nTrustees\nD Fisher', 'address-label', 'NR14 7DU'],
    ['split over two lines', 'The principal place of business is 43 Heathland Road London N16\n5PQ.', 'address-label', 'N16 5PQ'],
    ['a US address', "The Company's principal address: 500 Market Street, San Francisco, CA 94105", 'address-label', '94105'],
  ];
  it.each(cases)('%s', (_name, text, rule, value) => expect(read(text).map(([r, v]) => [r, v])).toContainEqual([rule, value]));

  it('reads the letterhead at the top of a document', () => {
    expect(read('CANTATE\nUNIT 5\nWARE\nSG11 2DY\ninfo@cantate.co.uk', 0)).toEqual([['letterhead', 'SG11 2DY', 'SG11 2DY']]);
  });
});

describe('findAddressPostcodes: must not match', () => {
  const cases: [name: string, text: string][] = [
    ['a banker under the next heading', 'Principal Address:\n43 Heathland Road\nLondon\nN16 5P~\nBankers:\nSantander\nBootle\nL30 4GB'],
    ['an auditor with no own-address label', 'Auditors\nSmith & Co LLP\n1 High Street\nLeeds\nLS1 4AP'],
    ['a postcode far below the label', `Registered office\n${'x '.repeat(150)}\nLS1 4AP`],
    ['a postcode deep in the document is no letterhead', 'Thanks to our hosts at LS1 4AP for the venue.'],
    ['not a postcode', 'Registered office\nThe Old Mill\nUnit Q1 1ZZ9'],
  ];
  it.each(cases)('%s', (_name, text) => expect(read(text)).toEqual([]));
});
