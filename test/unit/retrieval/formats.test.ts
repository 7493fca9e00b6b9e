/** @module Tests for the format readers through ingestion: real PDF, DOCX and HTML files generated here,
 * exact offsets into the stored text, page numbers from the PDF's pages, and a PDF with no text layer refused. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import PizZip from 'pizzip';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { groundQuote } from '../../../src/core/ground-quote.js';
import { IngestError, SUPPORTED_EXTENSIONS, ingestFile, ingestPaths } from '../../../src/retrieval/ingest.js';
import { readHtml } from '../../../src/retrieval/formats/read-html.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';
import type { Store } from '../../../src/store/store.js';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fillflow-formats-'));
  store = openSqliteStore(join(dir, 'fillflow.db'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function pdfWithText(pages: string[][]): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = pdf.addPage([595, 842]);
    lines.forEach((line, i) => page.drawText(line, { x: 50, y: 780 - i * 20, size: 12, font }));
  }
  return pdf.save();
}

/** A PDF that looks like a scan to a text extractor: shapes and a form field, no text operators. */
async function pdfWithoutText(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const page = pdf.addPage([595, 842]);
  page.drawRectangle({ x: 50, y: 600, width: 300, height: 150, color: rgb(0.2, 0.2, 0.2) });
  pdf.getForm().createTextField('applicant.name').addToPage(page, { x: 50, y: 500, width: 200, height: 20 });
  return pdf.save();
}

function docx(paragraphs: string[]): Uint8Array {
  const zip = new PizZip();
  zip.file(
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
  );
  zip.file(
    '_rels/.rels',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
  );
  const body = paragraphs
    .map((p) => `<w:p><w:r><w:t xml:space="preserve">${p.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</w:t></w:r></w:p>`)
    .join('');
  zip.file(
    'word/document.xml',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`,
  );
  return zip.generate({ type: 'uint8array' });
}

async function chunksOf(id: string) {
  return store.getChunks((await store.listChunks([id])).map((h) => h.chunkId));
}

describe('format readers through ingestion', () => {
  it('reads every format it advertises', () => {
    expect(Object.keys(SUPPORTED_EXTENSIONS).sort()).toEqual(['.docx', '.htm', '.html', '.md', '.pdf', '.txt']);
  });

  it('reads a PDF text layer page by page: form feeds between pages, chunk pages, exact offsets', async () => {
    const path = join(dir, 'contract.pdf');
    writeFileSync(path, await pdfWithText([['Supply Agreement', 'Effective Date: March 3, 2010'], ['Governing law: the State of Delaware.']]));
    const doc = await ingestFile(store, path);
    expect(doc.mimeType).toBe('application/pdf');
    const text = (await store.getDocumentText(doc.id))!;
    expect(text.split('\f')).toHaveLength(2);
    expect(text).toContain('Effective Date: March 3, 2010');
    const chunks = await chunksOf(doc.id);
    for (const c of chunks) expect(text.slice(c.start, c.end)).toBe(c.text);
    expect(chunks.find((c) => c.text.includes('Delaware'))?.page).toBe(2);
    expect(chunks.find((c) => c.text.includes('March 3'))?.page).toBe(1);
    // A quote found in the stored text carries its page.
    const passages = chunks.map((c) => ({ documentId: c.documentId, start: c.start, text: c.text, ...(c.page ? { page: c.page } : {}) }));
    const g = groundQuote('State of Delaware', passages)!;
    expect(g.source.page).toBe(2);
    expect(text.slice(g.source.start, g.source.end)).toBe(g.source.quote);
  });

  it('refuses a PDF with no text layer, saying so, and stores nothing', async () => {
    const good = join(dir, 'a.txt');
    writeFileSync(good, 'Some text.');
    const scan = join(dir, 'scan.pdf');
    writeFileSync(scan, await pdfWithoutText());
    const err = await ingestPaths(store, [good, scan]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IngestError);
    expect(err).toMatchObject({ code: 'no_text_layer', path: scan });
    expect((err as Error).message).toMatch(/scan\.pdf: PDF has no text layer .*OCR/);
    expect(await store.listDocuments()).toEqual([]);
  });

  it('refuses a file that is not really a PDF before the reader sees it, and reports a broken PDF as unreadable', async () => {
    const fake = join(dir, 'fake.pdf');
    writeFileSync(fake, 'this is not a pdf');
    await expect(ingestFile(store, fake)).rejects.toMatchObject({ code: 'wrong_type', path: fake });
    await expect(ingestFile(store, fake)).rejects.toThrow(/fake\.pdf: not a PDF file: no %PDF- header .*looks like text/);
    const broken = join(dir, 'broken.pdf');
    writeFileSync(broken, '%PDF-1.7\nthe rest is missing');
    await expect(ingestFile(store, broken)).rejects.toMatchObject({ code: 'unreadable', path: broken });
  });

  it('reads a DOCX as paragraphs, with exact offsets', async () => {
    const path = join(dir, 'letter.docx');
    writeFileSync(path, docx(['Dear supplier,', 'Our VAT number is GB123456789 & our IBAN follows.', '', 'Kind regards']));
    const doc = await ingestFile(store, path);
    const text = (await store.getDocumentText(doc.id))!;
    expect(text).toBe('Dear supplier,\n\nOur VAT number is GB123456789 & our IBAN follows.\n\nKind regards');
    for (const c of await chunksOf(doc.id)) expect(text.slice(c.start, c.end)).toBe(c.text);
    // Same text, same document: the ID is the hash of the content, not of the file.
    const again = join(dir, 'copy.docx');
    writeFileSync(again, docx(['Dear supplier,', 'Our VAT number is GB123456789 & our IBAN follows.', '', 'Kind regards']));
    expect((await ingestFile(store, again)).id).toBe(doc.id);
  });

  it('reads HTML as its visible text: entities decoded, scripts dropped, blocks as paragraphs', async () => {
    const path = join(dir, 'page.html');
    writeFileSync(
      path,
      '<!doctype html><html><head><title>T</title><style>p{color:red}</style></head><body>' +
        '<h1>Supplier   profile</h1><script>var x = "Legal name: Evil";</script>' +
        '<p>Legal name: <b>Acme &amp; Sons&nbsp;Ltd</b></p><ul><li>One</li><li>Two</li></ul>' +
        '<table><tr><td>VAT</td><td>GB1</td></tr></table><pre>a  b\n c</pre></body></html>',
    );
    const doc = await ingestFile(store, path);
    const text = (await store.getDocumentText(doc.id))!;
    expect(doc.mimeType).toBe('text/html');
    expect(text).toBe('Supplier profile\n\nLegal name: Acme & Sons Ltd\n\nOne\nTwo\n\nVAT | GB1\n\na  b\n c');
    for (const c of await chunksOf(doc.id)) expect(text.slice(c.start, c.end)).toBe(c.text);
  });

  it('treats an HTML page with no visible text as empty', () => {
    expect(readHtml(new TextEncoder().encode('<html><script>x()</script></html>')).text).toBe('');
  });
});
