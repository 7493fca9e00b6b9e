import { describe, expect, it } from 'vitest';
import { findDatingClauses } from '../../../../src/core/offline-rules/dating-clause.js';

const at0 = { documentOffset: 0 };
/** Rule findings as [rule, ISO value, quote]. */
const read = (text: string, ctx: { documentOffset: number; dateOrder?: 'DMY' | 'MDY' } = at0) =>
  findDatingClauses(text, ctx).map((m) => [m.rule, m.value, text.slice(m.start, m.end)]);

describe('findDatingClauses: must match', () => {
  const cases: [name: string, text: string, rule: string, iso: string][] = [
    ['made as of', 'THIS AGREEMENT is made as of April 13, 2006 between Acme, Inc. and John Smith.', 'made', '2006-04-13'],
    ['entered into this … day of', 'THIS AGREEMENT (the "Agreement") is entered into this 23rd day of July, 2007, between Acme and Beta.', 'made', '2007-07-23'],
    ['entered as of (no "into")', 'THIS AGREEMENT is made and entered as of January 30, 2006, between Acme and James Lee.', 'made', '2006-01-30'],
    ['effective as of, a defined term in between', 'This Non-Disclosure Agreement (this “Agreement”) is made effective as of\nFebruary 18, 2013, by and between Acme and Beta.', 'effective', '2013-02-18'],
    ['effective date as a defined term', 'This Agreement is dated March 3, 2010 (the "Effective Date") by and between Acme and Beta.', 'effective', '2010-03-03'],
    ['day first with an ordinal', 'This Mutual Non-Disclosure Agreement is entered into on 2 September, 2004, by and between nStor and Xyratex.', 'made', '2004-09-02'],
    ['spelled-out day', 'This Agreement is made this first day of January, 2008 between the parties.', 'made', '2008-01-01'],
    ['testimonium', 'IN WITNESS WHEREOF, the parties hereto have executed this Agreement as of the 22nd day of May 2001.', 'made', '2001-05-22'],
    ['a Date: line', 'Non-Solicitation Agreement\nDate: March 2, 2017\nName: Glenn Rust', 'date-line', '2017-03-02'],
    ['a numeric date read by the date order', 'This Agreement is made on 03/04/2024 between the parties.', 'made', '2024-04-03'],
    ['a letter date above the salutation', 'Acme Corp.\n1 Main Street\nApril 15, 2011\nBeta AG\nMunich\nLadies and Gentlemen:\nIn connection with the discussions', 'letter', '2011-04-15'],
  ];
  it.each(cases)('%s', (_name, text, rule, iso) => {
    const found = read(text, text.includes('03/04/2024') ? { documentOffset: 0, dateOrder: 'DMY' } : at0);
    expect(found.map(([r, v]) => [r, v])).toContainEqual([rule, iso]);
  });

  it('a letter that takes effect upon an event marks its date as such', () => {
    const text = 'February 12, 2016\nLegion Partners\nLadies and Gentlemen:\nThis letter agreement shall become effective upon its execution following the appointment.';
    expect(read(text)).toEqual([['letter-event', '2016-02-12', 'February 12, 2016']]);
  });
});

describe('findDatingClauses: must not match', () => {
  const cases: [name: string, text: string, ctx?: { documentOffset: number }][] = [
    ['another agreement dated', 'This Agreement shall terminate upon the termination of the General Consulting Agreement between the parties dated January 5, 2006.'],
    ['an attached agreement dated', 'We refer to the attached confidentiality agreement dated January 30, 2013 (the “Confidentiality Agreement”).'],
    ['a possessive agreement dated', "The Company shall enforce Employee's Confidentiality Agreement with the Company dated 1st of October 2004."],
    ['that certain letter agreement', 'As you know, that certain letter agreement by and between Red Mountain Capital Partners LLC, a Delaware company, and ATSG, dated February 6, 2008, terminated.'],
    ['a page header date with no salutation', 'Acme Corp — Confidential\nMarch 21, 2011\n1. Definitions. "Information" means all data.'],
    ['a date deep in the document, not about this one', 'The lease was signed on March 3, 2010 by the landlord.', { documentOffset: 20_000 }],
    ['a term end', 'This Agreement shall expire on December 31, 2012.'],
    ['an ambiguous numeric date without a date order', 'This Agreement is made on 03/04/2024 between the parties.'],
    ['a date in a signature block with no label', 'By: /s/ John Smith\nJohn Smith\nMarch 3, 2010'],
    ['a payment due date', 'The first payment is due on March 3, 2010.'],
  ];
  it.each(cases)('%s', (_name, text, ctx) => expect(read(text, ctx ?? at0)).toEqual([]));
});
