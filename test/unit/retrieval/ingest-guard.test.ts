/** @module The document guard on the ways in that read from disk (ingestPaths, ingestFile): oversized files
 * refused by their size alone, zip bombs, files that are not what their extension says, binaries posing as text;
 * one bad file stores nothing; and a folder is stored one file at a time, each read after the one before it was stored. */
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_DOCUMENT_LIMITS } from '../../../src/retrieval/document-guard.js';
import { IngestError, ingestFile, ingestPaths } from '../../../src/retrieval/ingest.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';
import type { Store } from '../../../src/store/store.js';
import { makeZipBombDocx } from '../../helpers/template-fixtures.js';

let dir: string;
let store: Store;

function write(relative: string, content: string | Uint8Array): string {
  const path = join(dir, relative);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}

/** A file `size` bytes long that takes no disk and no time to write: only stat knows how big it is. */
function sparse(relative: string, size: number): string {
  const path = write(relative, '');
  truncateSync(path, size);
  return path;
}

async function scannedPdf(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.addPage([595, 842]);
  return pdf.save();
}

async function refusal(run: Promise<unknown>): Promise<IngestError> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof IngestError)) throw new Error(`expected an IngestError, got ${String(err)}`);
  return err;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fillflow-guard-'));
  store = openSqliteStore(join(dir, '.db', 'fillflow.db'));
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the document guard through ingestPaths', () => {
  it.each([
    ['a file over 50 MiB, by its size', () => sparse('docs/huge.txt', DEFAULT_DOCUMENT_LIMITS.maxBytes + 1), 'too_large', /huge\.txt: the file is 52428801 bytes .* over the limit for documents of 52428800 bytes \(50 MiB\)/],
    ['a DOCX zip bomb', async () => write('docs/bomb.docx', await makeZipBombDocx(300 * 1024 * 1024)), 'zip_bomb', /bomb\.docx: refused as a zip bomb: the archive unpacks to more than 67108864 bytes/],
    ['a DOCX zip bomb that lies about its size', async () => write('docs/liar.docx', await makeZipBombDocx(300 * 1024 * 1024, true)), 'zip_bomb', /liar\.docx: refused as a zip bomb/],
    ['a .pdf that is text', () => write('docs/notes.pdf', 'Meeting notes, saved with the wrong extension.'), 'wrong_type', /notes\.pdf: not a PDF file: no %PDF- header .*looks like text/],
    ['a .docx that is not a ZIP', () => write('docs/letter.docx', 'Dear supplier,'), 'wrong_type', /letter\.docx: not a DOCX file/],
    ['a PNG named .txt', () => write('docs/photo.txt', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])), 'wrong_type', /photo\.txt: not a text file: it is a PNG image/],
    ['a binary .txt', () => write('docs/data.txt', Buffer.from([0x41, 0x42, 0x00, 0x01, 0x02, 0x43])), 'binary', /data\.txt: binary data, not text: a NUL byte at offset 2/],
    ['UTF-16 text', () => write('docs/wide.md', Buffer.from('\ufeffHello', 'utf16le')), 'not_utf8', /wide\.md: UTF-16 text/],
  ])('refuses %s, naming it, and stores none of the folder', async (_name, makeBad, code, message) => {
    write('docs/a-good.txt', 'A perfectly good file.');
    const bad = await makeBad();
    write('docs/z-good.md', 'Another good file.');
    const err = await refusal(ingestPaths(store, [join(dir, 'docs')]));
    expect(err).toMatchObject({ code, path: bad });
    expect(err.message).toMatch(message);
    expect(await store.listDocuments()).toEqual([]);
  });

  it('checks sizes and first bytes of every file before it reads any whole', async () => {
    // The PDF with no text layer comes first, but only parsing finds that out; the oversized file and the
    // fake PDF after it are found by stat and by their first bytes, so they are what is reported.
    write('docs/a-scan.pdf', await scannedPdf());
    sparse('docs/b-huge.html', 80 * 1024 * 1024);
    await expect(ingestPaths(store, [join(dir, 'docs')])).rejects.toMatchObject({ code: 'too_large', path: join(dir, 'docs/b-huge.html') });
    rmSync(join(dir, 'docs/b-huge.html'));
    write('docs/c-fake.pdf', 'not a pdf');
    await expect(ingestPaths(store, [join(dir, 'docs')])).rejects.toMatchObject({ code: 'wrong_type', path: join(dir, 'docs/c-fake.pdf') });
    rmSync(join(dir, 'docs/c-fake.pdf'));
    // Then the deep checks, still before anything is stored.
    write('docs/0-good.txt', 'Good.');
    await expect(ingestPaths(store, [join(dir, 'docs')])).rejects.toMatchObject({ code: 'no_text_layer' });
    expect(await store.listDocuments()).toEqual([]);
  });

  it('takes a configured size limit, and names it', async () => {
    const path = write('big.txt', 'x'.repeat(2048));
    const err = await refusal(ingestPaths(store, [path], { limits: { maxBytes: 1024 } }));
    expect(err).toMatchObject({ code: 'too_large', path });
    expect(err.message).toMatch(/big\.txt: the file is 2048 bytes .* limit for documents of 1024 bytes/);
    expect((await ingestPaths(store, [path], { limits: { maxBytes: 4096 } })).map((d) => d.name)).toEqual(['big.txt']);
  });

  it('guards a single file through ingestFile too (the HTTP API and benchmarks use it)', async () => {
    const bomb = write('bomb.docx', await makeZipBombDocx(300 * 1024 * 1024, true));
    await expect(ingestFile(store, bomb)).rejects.toMatchObject({ code: 'zip_bomb', path: bomb });
    const huge = sparse('huge.md', 51 * 1024 * 1024);
    await expect(ingestFile(store, huge)).rejects.toMatchObject({ code: 'too_large', path: huge });
    const small = write('small.txt', 'Twelve bytes');
    await expect(ingestFile(store, small, { limits: { maxBytes: 5 } })).rejects.toMatchObject({ code: 'too_large' });
    expect(await store.listDocuments()).toEqual([]);
  });
});

/**
 * A store that, while it stores file k, rewrites file k+1 on disk. If ingestion had read file k+1 before
 * file k was stored (held the folder in memory), file k+1 would be stored with its old text.
 */
function rewritingStore(inner: Store, files: string[], next: (i: number) => string | Uint8Array): { store: Store; stored: string[] } {
  const stored: string[] = [];
  const store: Store = Object.create(inner) as Store;
  store.putDocument = async (doc, chunks) => {
    const record = await inner.putDocument(doc, chunks);
    stored.push(doc.name);
    const i = files.findIndex((f) => basename(f) === doc.name);
    if (i + 1 < files.length) writeFileSync(files[i + 1]!, next(i + 1));
    return record;
  };
  return { store, stored };
}

describe('ingestPaths memory', () => {
  it('reads each file of a folder only after the one before it was stored', async () => {
    const files = Array.from({ length: 60 }, (_, i) => write(`many/doc-${String(i).padStart(3, '0')}.txt`, `Draft ${i}: first version, as checked.`));
    const { store: watched, stored } = rewritingStore(store, files, (i) => `Document ${i}: second version, written when document ${i - 1} was stored.`);

    const records = await ingestPaths(watched, [join(dir, 'many')]);

    expect(records.map((r) => r.name)).toEqual(files.map((f) => basename(f)));
    expect(stored).toEqual(files.map((f) => basename(f)));
    const texts = await Promise.all(records.map((r) => store.getDocumentText(r.id)));
    expect(texts[0]).toBe('Draft 0: first version, as checked.');
    for (let i = 1; i < files.length; i++) expect(texts[i]).toBe(`Document ${i}: second version, written when document ${i - 1} was stored.`);
  });

  it('says how many files were stored when one changes into a bad file after the checks', async () => {
    const files = ['one.txt', 'two.txt', 'three.txt'].map((name) => write(`set/${name}`, `The file ${name}.`));
    const sorted = [...files].sort();
    const { store: watched } = rewritingStore(store, sorted, () => Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const err = await refusal(ingestPaths(watched, [join(dir, 'set')]));
    expect(err).toMatchObject({ code: 'wrong_type', path: sorted[1] });
    expect(err.message).toMatch(/three\.txt: not a text file: it is a PNG image \(it changed after it was checked; the 1 file\(s\) before it are stored\)/);
    expect((await store.listDocuments()).map((d) => d.name)).toEqual(['one.txt']);
  });
});
