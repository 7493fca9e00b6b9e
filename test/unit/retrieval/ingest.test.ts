/** @module Tests for ingestion: decoding and normalisation, folder expansion, and errors that name the path. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IngestError, ingestFile, ingestPaths } from '../../../src/retrieval/ingest.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';
import type { Store } from '../../../src/store/store.js';

let dir: string;
let store: Store;

function write(relative: string, content: string | Uint8Array): string {
  const path = join(dir, relative);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fillflow-ingest-'));
  store = openSqliteStore(join(dir, '.db', 'fillflow.db'));
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ingestFile', () => {
  it('stores a text file with its chunks, by name and MIME type', async () => {
    const path = write('notes.txt', 'Invoice number: INV-9.\n\nTotal: 12 EUR.');
    const doc = await ingestFile(store, path);
    expect(doc).toMatchObject({ name: 'notes.txt', mimeType: 'text/plain', length: 38 });
    expect(await store.getDocumentText(doc.id)).toBe('Invoice number: INV-9.\n\nTotal: 12 EUR.');
    expect((await store.searchChunks('invoice', [doc.id], 5)).length).toBe(1);
  });

  it('stores Markdown, with an upper-case extension too', async () => {
    const doc = await ingestFile(store, write('README.MD', '# Title\n\nBody.'));
    expect(doc.mimeType).toBe('text/markdown');
  });

  it('strips a BOM and normalises CRLF and CR, and offsets refer to the normalised text', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const bytes = Buffer.concat([bom, Buffer.from('Line one.\r\nLine two.\rLine three.\r\n\r\nNext.')]);
    const doc = await ingestFile(store, write('crlf.txt', bytes));
    const text = await store.getDocumentText(doc.id);
    expect(text).toBe('Line one.\nLine two.\nLine three.\n\nNext.');
    const chunks = await store.getChunks((await store.listChunks([doc.id])).map((h) => h.chunkId));
    for (const chunk of chunks) expect(text?.slice(chunk.start, chunk.end)).toBe(chunk.text);
  });

  it('gives the same id to the same text however it was encoded on disk', async () => {
    const a = await ingestFile(store, write('a.txt', 'Same text.\nTwo lines.'));
    const b = await ingestFile(store, write('b.txt', '\ufeffSame text.\r\nTwo lines.'));
    expect(b.id).toBe(a.id);
    expect((await store.listDocuments()).length).toBe(1);
  });

  it.each([
    ['unsupported extension', 'report.xlsx', 'x', /report\.xlsx.*unsupported.*\.txt, \.md, \.html, \.htm, \.pdf, \.docx/],
    ['no extension', 'Makefile', 'x', /Makefile.*\(no extension\).*\.txt, \.md/],
    ['empty file', 'empty.txt', '', /empty\.txt.*empty/],
    ['whitespace only', 'blank.md', ' \r\n\t\n', /blank\.md.*empty/],
    ['invalid UTF-8', 'latin1.txt', new Uint8Array([0x63, 0x61, 0x66, 0xe9]), /latin1\.txt.*UTF-8/],
  ])('rejects %s, naming the file', async (_name, file, content, message) => {
    const path = write(file, content);
    await expect(ingestFile(store, path)).rejects.toThrow(message);
    await expect(ingestFile(store, path)).rejects.toBeInstanceOf(IngestError);
    expect(await store.listDocuments()).toEqual([]);
  });

  it('rejects a missing path and a folder, naming them', async () => {
    const missing = join(dir, 'nope.txt');
    await expect(ingestFile(store, missing)).rejects.toMatchObject({ code: 'not_found', path: missing });
    await expect(ingestFile(store, missing)).rejects.toThrow(missing);
    mkdirSync(join(dir, 'folder'));
    await expect(ingestFile(store, join(dir, 'folder'))).rejects.toMatchObject({ code: 'not_a_file' });
  });
});

describe('ingestPaths', () => {
  it('expands folders recursively in sorted order, skipping dot-entries and other types', async () => {
    write('docs/b.txt', 'Bee.');
    write('docs/a.md', 'Ay.');
    write('docs/sub/c.txt', 'Sea.');
    write('docs/Z.txt', 'Zed.');
    write('docs/.hidden.txt', 'Hidden.');
    write('docs/.git/d.txt', 'In git.');
    write('docs/image.png', 'not text');
    write('docs/sub/deeper/e.md', 'Ee.');
    const loose = write('loose.txt', 'Loose.');

    const docs = await ingestPaths(store, [loose, join(dir, 'docs')]);
    expect(docs.map((d) => d.name)).toEqual(['loose.txt', 'Z.txt', 'a.md', 'b.txt', 'c.txt', 'e.md']);
  });

  it('returns a file reached twice once, and the same record for identical texts', async () => {
    const a = write('set/a.txt', 'Twin.');
    write('set/b.txt', 'Twin.');
    const docs = await ingestPaths(store, [a, join(dir, 'set'), a]);
    expect(docs.map((d) => d.name)).toEqual(['a.txt', 'a.txt']);
    expect(docs[0]).toEqual(docs[1]);
    expect((await store.listDocuments()).length).toBe(1);
  });

  it('follows a symlink loop only once', async () => {
    write('loop/a.txt', 'In the loop.');
    symlinkSync(join(dir, 'loop'), join(dir, 'loop', 'again'));
    const docs = await ingestPaths(store, [join(dir, 'loop')]);
    expect(docs.map((d) => d.name)).toEqual(['a.txt']);
  });

  it.each([
    ['a missing path', () => join(dir, 'missing.txt'), /missing\.txt: no such file/],
    ['an explicitly named unsupported file', () => write('table.csv', 'a,b'), /table\.csv.*unsupported/],
    ['an empty file inside a folder', () => (write('docs/empty.txt', ''), join(dir, 'docs')), /empty\.txt.*empty/],
    [
      'a folder with no supported files',
      () => (write('imgs/x.png', 'x'), join(dir, 'imgs')),
      /imgs.*no \.txt, \.md, \.html, \.htm, \.pdf, \.docx files/,
    ],
  ])('stores nothing when one path is bad: %s', async (_name, makeBad, message) => {
    const good = write('good.txt', 'A perfectly good file.');
    const bad = makeBad();
    await expect(ingestPaths(store, [good, bad])).rejects.toThrow(message);
    expect(await store.listDocuments()).toEqual([]);
  });

  it('returns nothing for no paths', async () => {
    expect(await ingestPaths(store, [])).toEqual([]);
  });
});
