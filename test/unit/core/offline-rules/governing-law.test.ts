import { describe, expect, it } from 'vitest';
import { findGoverningLaw } from '../../../../src/core/offline-rules/governing-law.js';

/** The strongest place a text's clauses name, as the extractor would rank them. */
const best = (text: string) => [...findGoverningLaw(text)].sort((a, b) => b.confidence - a.confidence)[0];

describe('findGoverningLaw: must match', () => {
  const cases: [name: string, text: string, place: string, quote: string][] = [
    ['the State of', 'This Agreement shall be governed by the laws of the State of New York.', 'New York', 'New York'],
    ['the Commonwealth of', 'governed by and construed in accordance with the laws of the Commonwealth of Massachusetts.', 'Massachusetts', 'Massachusetts'],
    ['upper case', 'THIS AGREEMENT SHALL BE GOVERNED BY THE LAWS OF THE STATE OF DELAWARE.', 'Delaware', 'DELAWARE'],
    ['name on the next line', 'shall be governed by and construed in accordance with the laws of the State of\nNorth Carolina without regard', 'North Carolina', 'North Carolina'],
    ['internal laws', 'construed, performed and enforced in accordance with, and governed by, the internal laws of the State of Minnesota', 'Minnesota', 'Minnesota'],
    ['an aside after "laws"', 'governed by and construed in accordance with the laws (other than the conflict of laws rules) of the United States and the State of Indiana.', 'Indiana', 'Indiana'],
    ['a country and its state', 'This Agreement shall be governed by the laws of the United States of America, State of California.', 'California', 'California'],
    ['a country', 'This Agreement is governed by the laws of Germany.', 'Germany', 'Germany'],
    ['a long form kept as written', "shall be governed by, and construed in accordance with, the laws of the People’s Republic of China", "People's Republic of China", 'People’s Republic of China'],
    ['England and Wales', 'This Agreement is governed by the laws of England and Wales.', 'England and Wales', 'England and Wales'],
    ['an adjective', 'This deed shall be governed by English law.', 'England', 'English'],
    ['a state as an adjective', 'This Agreement is governed by Delaware law, without regard to conflicts principles.', 'Delaware', 'Delaware'],
    ['disputes resolved under a law', 'Any dispute shall be resolved in accordance with the laws of the State of Oregon.', 'Oregon', 'Oregon'],
    ['courts only', 'Each party submits to the exclusive jurisdiction of the courts of the State of Texas.', 'Texas', 'Texas'],
  ];
  it.each(cases)('%s', (_name, text, place, quote) => {
    const m = best(text)!;
    expect(m.value).toBe(place);
    expect(text.slice(m.start, m.end)).toBe(quote);
  });

  it('a governing-law clause outranks a forum clause', () => {
    const text = 'This Agreement is governed by the laws of the State of Delaware. The parties submit to the courts of New York.';
    expect(best(text)!.value).toBe('Delaware');
    expect(findGoverningLaw(text).find((m) => m.value === 'New York')!.rule).toBe('courts');
  });
});

describe('findGoverningLaw: must not match', () => {
  const cases: [name: string, text: string][] = [
    ['laws of physics', 'Nothing in this Agreement shall be construed to defy the laws of physics.'],
    ['incorporation, not governing law', 'Acme Inc., a corporation organized under the laws of the State of South Carolina, and Beta LLC agree as follows.'],
    ['existing under the laws', 'Beta Ltd, a company existing under the laws of England, shall deliver the goods.'],
    ['no place named', 'This Agreement shall be governed by the laws of said State.'],
    ['any other state', 'without regard to the conflict of laws principles of any other jurisdiction.'],
    ['laws named without a governing statement', 'The Supplier shall comply with the laws of the State of Ohio when shipping.'],
    ['a place that is not a jurisdiction', 'This Agreement shall be governed by the laws of Gotham City.'],
    ['a word that looks like a country', 'The parties shall be governed by the laws of nature and reason.'],
    ['an empty text', ''],
  ];
  it.each(cases)('%s', (_name, text) => expect(findGoverningLaw(text).filter((m) => m.rule !== 'courts')).toEqual([]));
});
