/** @module The document guard's rules on bytes alone: size, sniffing by extension, and the whole-file checks
 * (zip guard for a DOCX, no NUL bytes or UTF-16 in text), with as many files it lets through as it refuses. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_API_LIMITS } from '../../../src/api/api-deps.js';
import {
  DEFAULT_DOCUMENT_LIMITS,
  GuardError,
  SNIFF_BYTES,
  checkContent,
  checkSize,
  guardDocument,
  sniffDocument,
} from '../../../src/retrieval/document-guard.js';
import { DEFAULT_ZIP_LIMITS } from '../../../src/templates/zip-guard.js';
import { makeZip, makeZipBombDocx } from '../../helpers/template-fixtures.js';

const bytes = (...parts: (string | number[] | Buffer)[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

const PDF = bytes('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj');
const PNG = bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d], 'IHDR');
const JPEG = bytes([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10], 'JFIF');
const ELF = bytes([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
const OLE = bytes([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]);
const ZIP = bytes([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]);

function refusal(run: () => void): GuardError {
  try {
    run();
  } catch (err) {
    if (err instanceof GuardError) return err;
    throw err;
  }
  throw new Error('expected the guard to refuse');
}

describe('shared limits', () => {
  it('holds every way in to the HTTP API upload limit and the template zip guard', () => {
    expect(DEFAULT_DOCUMENT_LIMITS.maxBytes).toBe(DEFAULT_API_LIMITS.maxDocumentBytes);
    expect(DEFAULT_DOCUMENT_LIMITS.zip).toBe(DEFAULT_ZIP_LIMITS);
  });
});

describe('checkSize', () => {
  it.each([
    ['one byte', 1],
    ['exactly the limit', DEFAULT_DOCUMENT_LIMITS.maxBytes],
  ])('lets through %s', (_name, size) => {
    expect(() => checkSize(size)).not.toThrow();
  });

  it.each([
    ['an empty file', 0, {}, 'empty', /the file is empty/],
    ['one byte over 50 MiB', 50 * 1024 * 1024 + 1, {}, 'too_large', /52428801 bytes \(50\.0 MiB\), over the limit for documents of 52428800 bytes \(50 MiB\)/],
    ['a file over a configured limit', 2048, { maxBytes: 1024 }, 'too_large', /2048 bytes .* of 1024 bytes/],
  ])('refuses %s', (_name, size, limits, problem, message) => {
    const err = refusal(() => checkSize(size, { ...DEFAULT_DOCUMENT_LIMITS, ...limits }));
    expect(err.problem).toBe(problem);
    expect(err.message).toMatch(message);
  });
});

describe('sniffDocument', () => {
  it.each([
    ['a PDF', '.pdf', PDF],
    ['a PDF after junk inside the sniffed window', '.pdf', bytes(Buffer.alloc(SNIFF_BYTES - 10, 0x20), PDF)],
    ['a DOCX (a ZIP)', '.docx', ZIP],
    ['text', '.txt', bytes('Supplier: Acme Ltd.\n')],
    ['Markdown starting with "MZ", which is not an executable signature', '.md', bytes('MZ Holdings annual report')],
    ['text that starts with "%PDF" and no dash', '.txt', bytes('%PDF is a header')],
    ['HTML', '.html', bytes('<!doctype html><p>Hi</p>')],
    ['text with a UTF-8 BOM', '.txt', bytes([0xef, 0xbb, 0xbf], 'Hello')],
  ])('lets through %s', (_name, ext, head) => {
    expect(() => sniffDocument(ext, head)).not.toThrow();
  });

  it.each([
    ['a .pdf that is text', '.pdf', bytes('Just some notes, saved as .pdf'), /not a PDF file: no %PDF- header in its first 1024 bytes \(it looks like text\)/],
    ['a .pdf whose header comes after the window', '.pdf', bytes(Buffer.alloc(SNIFF_BYTES, 0x20), PDF), /no %PDF- header/],
    ['a .pdf that is a PNG', '.pdf', PNG, /looks like a PNG image\)/],
    ['a .pdf of binary junk', '.pdf', bytes([1, 2, 0, 3]), /looks like binary data/],
    ['a .docx that is text', '.docx', bytes('hello'), /not a DOCX file: a DOCX is a ZIP archive.*looks like text/],
    ['a .docx that is a PDF', '.docx', PDF, /looks like a PDF file\)/],
    ['a .docx that is a legacy .doc', '.docx', OLE, /looks like a legacy Office file/],
    ['a .txt that is a PDF', '.txt', PDF, /not a text file: it is a PDF file; name it \.pdf/],
    ['a .txt that is a PNG', '.txt', PNG, /it is a PNG image/],
    ['a .md that is a ZIP', '.md', ZIP, /it is a ZIP archive/],
    ['an .html that is a JPEG', '.html', JPEG, /it is a JPEG image/],
    ['a .txt that is an executable', '.txt', ELF, /it is an executable/],
  ])('refuses %s as wrong_type', (_name, ext, head, message) => {
    const err = refusal(() => sniffDocument(ext, head));
    expect(err.problem).toBe('wrong_type');
    expect(err.message).toMatch(message);
  });
});

describe('checkContent', () => {
  it('lets through a real-shaped DOCX and text without NUL bytes', async () => {
    const docx = await makeZip([{ name: 'word/document.xml', data: Buffer.from('<w:document/>') }]);
    expect(() => checkContent('.docx', docx)).not.toThrow();
    expect(() => checkContent('.txt', bytes('Plain text, café and all.'))).not.toThrow();
    // A PDF's binary streams hold NUL bytes; the rule is for text formats only.
    expect(() => checkContent('.pdf', bytes(PDF, [0, 0, 0]))).not.toThrow();
  });

  it.each([
    ['a zip bomb', async () => makeZipBombDocx(200 * 1024 * 1024), 'zip_bomb', /zip bomb: the archive unpacks to more than 67108864 bytes/],
    ['a zip bomb that lies about its size', async () => makeZipBombDocx(200 * 1024 * 1024, true), 'zip_bomb', /zip bomb/],
    ['a ZIP header with no archive behind it', async () => bytes(ZIP, Buffer.alloc(64)), 'wrong_type', /not a usable DOCX file: not a complete ZIP archive/],
    ['an entry that climbs out of the folder', async () => makeZip([{ name: '../../evil.xml', data: Buffer.from('x') }]), 'unreadable', /unsafe entry name/],
  ])('refuses a DOCX: %s', async (_name, make, problem, message) => {
    const docx = await make();
    expect(docx.length).toBeLessThan(1024 * 1024);
    const err = refusal(() => checkContent('.docx', docx));
    expect(err.problem).toBe(problem);
    expect(err.message).toMatch(message);
  });

  it('applies the zip limits it is given', async () => {
    const docx = await makeZip([{ name: 'word/document.xml', data: Buffer.alloc(4096, 0x41) }]);
    expect(refusal(() => checkContent('.docx', docx, { zip: { maxTotalBytes: 1024, maxEntries: 10 } })).problem).toBe('zip_bomb');
  });

  it.each([
    ['a .txt with a NUL byte', '.txt', bytes('Hello', [0], 'world'), 'binary', /binary data, not text: a NUL byte at offset 5/],
    ['UTF-16 text (little endian)', '.txt', bytes([0xff, 0xfe], 'H\0i\0'), 'not_utf8', /UTF-16 text .*save it as UTF-8/],
    ['UTF-16 text (big endian)', '.md', bytes([0xfe, 0xff], '\0H\0i'), 'not_utf8', /UTF-16/],
    ['an .html with NUL bytes', '.html', bytes('<p>', [0, 0], '</p>'), 'binary', /NUL byte at offset 3/],
  ])('refuses %s', (_name, ext, content, problem, message) => {
    const err = refusal(() => checkContent(ext, content));
    expect(err.problem).toBe(problem);
    expect(err.message).toMatch(message);
  });
});

describe('guardDocument', () => {
  it('runs every rule on the bytes: size, then sniffing, then content', async () => {
    expect(refusal(() => guardDocument('.txt', Buffer.alloc(0))).problem).toBe('empty');
    expect(refusal(() => guardDocument('.txt', bytes('x'.repeat(100)), { ...DEFAULT_DOCUMENT_LIMITS, maxBytes: 10 })).problem).toBe('too_large');
    expect(refusal(() => guardDocument('.txt', PDF)).problem).toBe('wrong_type');
    const bomb = await makeZipBombDocx(100 * 1024 * 1024);
    expect(refusal(() => guardDocument('.docx', bomb)).problem).toBe('zip_bomb');
    expect(() => guardDocument('.txt', bytes('Fine.'))).not.toThrow();
  });
});
