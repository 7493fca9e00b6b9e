import { describe, expect, it } from 'vitest';
import { findUrls, parseUrl } from '../../../src/core/parse/url.js';

describe('parseUrl', () => {
  const reads: [name: string, input: string, value: string][] = [
    ['https', 'https://example.com/terms', 'https://example.com/terms'],
    ['scheme and host lower-cased, path kept', 'HTTPS://Example.COM/Terms?Id=1', 'https://example.com/Terms?Id=1'],
    ['http with port', 'http://localhost:8080/x', 'http://localhost:8080/x'],
    ['bare www', 'www.acme.co.uk', 'https://www.acme.co.uk'],
    ['bare domain as a whole value', 'acme.com/about', 'https://acme.com/about'],
    ['angle brackets', '<https://acme.com>', 'https://acme.com'],
    ['trailing full stop', 'https://acme.com.', 'https://acme.com'],
  ];
  it.each(reads)('%s: %s', (_name, input, value) => expect(parseUrl(input)).toBe(value));

  const rejects: [name: string, input: string][] = [
    ['ftp', 'ftp://files.acme.com'],
    ['mailto', 'mailto:jane@acme.com'],
    ['an email address', 'jane@acme.com'],
    ['no TLD', 'https://intranet'],
    ['spaces', 'https://acme.com/a b'],
    ['a word', 'acme'],
    ['numeric TLD', 'version 1.2'],
    ['empty', ''],
    ['two URLs', 'https://a.com https://b.com'],
    ['javascript scheme', 'javascript:alert(1)'],
  ];
  it.each(rejects)('rejects %s: %s', (_name, input) => expect(parseUrl(input)).toBeNull());
});

describe('findUrls', () => {
  it('finds URLs in prose without trailing punctuation', () => {
    const text =
      'See https://acme.com/terms. The portal (www.acme.com/portal) and https://en.wikipedia.org/wiki/Escrow_(law), too.';
    expect(findUrls(text).map((m) => [text.slice(m.start, m.end), m.value])).toEqual([
      ['https://acme.com/terms', 'https://acme.com/terms'],
      ['www.acme.com/portal', 'https://www.acme.com/portal'],
      ['https://en.wikipedia.org/wiki/Escrow_(law)', 'https://en.wikipedia.org/wiki/Escrow_(law)'],
    ]);
  });

  const none: [name: string, text: string][] = [
    ['bare domains in prose', 'visit acme.com or example.org'],
    ['an email on a www host', 'write to info@www.acme.com'],
    ['other schemes', 'ftp://files.acme.com and file:///etc/hosts'],
    ['a scheme with no host', 'https:// is the prefix'],
  ];
  it.each(none)('finds nothing in %s', (_name, text) => expect(findUrls(text)).toEqual([]));
});
