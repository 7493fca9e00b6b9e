import { describe, expect, it } from 'vitest';
import { findEmails, parseEmail } from '../../../src/core/parse/email.js';

describe('parseEmail', () => {
  const reads: [name: string, input: string, value: string][] = [
    ['plain', 'jane.doe@example.com', 'jane.doe@example.com'],
    ['domain lower-cased, local part kept', 'Jane.Doe@Example.COM', 'Jane.Doe@example.com'],
    ['plus tag and subdomain', 'ops+billing@mail.acme.co.uk', 'ops+billing@mail.acme.co.uk'],
    ['mailto prefix', 'mailto:legal@acme.com', 'legal@acme.com'],
    ['display name form', 'Jane Doe <jane@acme.com>', 'jane@acme.com'],
    ['quoted with full stop', '"jane@acme.com."', 'jane@acme.com'],
  ];
  it.each(reads)('%s: %s', (_name, input, value) => expect(parseEmail(input)).toBe(value));

  const rejects: [name: string, input: string][] = [
    ['no domain dot', 'jane@localhost'],
    ['one-letter TLD', 'jane@acme.c'],
    ['two at signs', 'jane@@acme.com'],
    ['leading dot in local part', '.jane@acme.com'],
    ['double dot', 'jane..doe@acme.com'],
    ['spaces', 'jane doe@acme.com'],
    ['two addresses', 'a@acme.com, b@acme.com'],
    ['no local part', '@acme.com'],
    ['hyphen ends a label', 'jane@acme-.com'],
    ['empty', ''],
  ];
  it.each(rejects)('rejects %s: %s', (_name, input) => expect(parseEmail(input)).toBeNull());
});

describe('findEmails', () => {
  it('finds addresses in prose with spans, not the punctuation around them', () => {
    const text = 'Notices go to legal@acme.com (Attn: GC) or, by copy, to "Ops@Globex.IO".';
    expect(findEmails(text).map((m) => [text.slice(m.start, m.end), m.value])).toEqual([
      ['legal@acme.com', 'legal@acme.com'],
      ['Ops@Globex.IO', 'Ops@globex.io'],
    ]);
  });

  const none: [name: string, text: string][] = [
    ['a handle', 'follow @acme on social media'],
    ['an at sign between words', 'meet me @ noon'],
    ['a file name', 'see report@2x.png.v2'],
  ];
  it.each(none)('finds nothing in %s', (_name, text) => expect(findEmails(text)).toEqual([]));
});
