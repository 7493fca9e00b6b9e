/** @module Template files generated in the tests with the same libraries that read them: DOCX (pizzip),
 * PDF forms (pdf-lib), and the hostile variants (zip bombs, XFA, binaries posing as .docx). */
import { createDeflateRaw, crc32 } from 'node:zlib';
import PizZip from 'pizzip';
import { PDFDocument, PDFName, PDFTextField, PDFCheckBox, PDFDropdown } from 'pdf-lib';

const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';

/** Paragraphs of runs: each inner array is one paragraph, each string one `<w:r>` (so a placeholder can be split). */
export function makeDocx(paragraphs: string[][]): Buffer {
  const zip = new PizZip();
  zip.file(
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
  );
  zip.file(
    '_rels/.rels',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
  );
  const body = paragraphs
    .map((runs) => `<w:p>${runs.map((r, i) => `<w:r>${i % 2 ? '<w:rPr><w:b/></w:rPr>' : ''}<w:t xml:space="preserve">${escapeXml(r)}</w:t></w:r>`).join('')}</w:p>`)
    .join('');
  zip.file('word/document.xml', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="${W}"><w:body>${body}</w:body></w:document>`);
  return zip.generate({ type: 'nodebuffer', compression: 'DEFLATE' }) as Buffer;
}

/** The text of each paragraph of a DOCX, read back with pizzip. */
export function docxParagraphs(bytes: Buffer): string[] {
  const xml = new PizZip(bytes).file('word/document.xml')!.asText();
  return [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((p) =>
    [...p[0].matchAll(/<w:t[^>]*>([^<]*)<\/w:t>/g)].map((t) => unescapeXml(t[1]!)).join(''),
  );
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
function unescapeXml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

export interface PdfFieldDef {
  name: string;
  kind: 'text' | 'checkbox' | 'dropdown';
  options?: string[];
  multiline?: boolean;
}

export async function makePdfForm(fields: PdfFieldDef[], opts: { xfa?: boolean } = {}): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const page = pdf.addPage([600, 100 + fields.length * 40]);
  const form = pdf.getForm();
  fields.forEach((f, i) => {
    const at = { x: 200, y: 50 + i * 40, width: 300, height: 24 };
    page.drawText(f.name, { x: 20, y: at.y + 6, size: 10 });
    if (f.kind === 'text') {
      const t = form.createTextField(f.name);
      if (f.multiline) t.enableMultiline();
      t.addToPage(page, at);
    } else if (f.kind === 'checkbox') {
      form.createCheckBox(f.name).addToPage(page, { ...at, width: 20, height: 20 });
    } else {
      const d = form.createDropdown(f.name);
      d.addOptions(f.options ?? []);
      d.addToPage(page, at);
    }
  });
  if (!opts.xfa) return Buffer.from(await pdf.save());
  form.updateFieldAppearances();
  form.acroForm.dict.set(PDFName.of('XFA'), pdf.context.obj([PDFName.of('template')]));
  // save() would call getForm(), which deletes XFA data: write it without that step.
  return Buffer.from(await pdf.save({ updateFieldAppearances: false }));
}

/** Field name → value as a reader sees it: text, true/false for checkboxes, the selection for dropdowns. */
export async function readPdfForm(bytes: Buffer): Promise<Record<string, string | boolean | undefined>> {
  const form = (await PDFDocument.load(bytes)).getForm();
  const out: Record<string, string | boolean | undefined> = {};
  for (const f of form.getFields()) {
    if (f instanceof PDFTextField) out[f.getName()] = f.getText();
    else if (f instanceof PDFCheckBox) out[f.getName()] = f.isChecked();
    else if (f instanceof PDFDropdown) out[f.getName()] = f.getSelected()[0];
  }
  return out;
}

/** A ZIP written by hand, so an entry can lie about its size (the DOCX zip bomb). */
export async function makeZip(entries: { name: string; data?: Buffer; zeros?: number; declaredSize?: number }[]): Promise<Buffer> {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const compressed = e.zeros !== undefined ? await deflateZeros(e.zeros) : await deflate(e.data ?? Buffer.alloc(0));
    const size = e.declaredSize ?? e.data?.length ?? e.zeros ?? 0;
    const crc = e.data ? crc32(e.data) : 0;
    const name = Buffer.from(e.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, compressed);
    centrals.push(central, name);
    offset += 30 + name.length + compressed.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

function deflate(data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const z = createDeflateRaw({ level: 9 });
    const out: Buffer[] = [];
    z.on('data', (c: Buffer) => out.push(c)).on('end', () => resolve(Buffer.concat(out))).on('error', reject);
    z.end(data);
  });
}

/** `n` zero bytes, deflated a megabyte at a time (never held whole). */
function deflateZeros(n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const z = createDeflateRaw({ level: 9 });
    const out: Buffer[] = [];
    z.on('data', (c: Buffer) => out.push(c)).on('end', () => resolve(Buffer.concat(out))).on('error', reject);
    const mb = Buffer.alloc(1 << 20);
    let left = n;
    const pump = () => {
      while (left > 0) {
        const chunk = left >= mb.length ? mb : mb.subarray(0, left);
        left -= chunk.length;
        if (!z.write(chunk)) return void z.once('drain', pump);
      }
      z.end();
    };
    pump();
  });
}

/** A DOCX-shaped archive whose extra entry unpacks to `bytes` zeros; `lie` declares it tiny. */
export async function makeZipBombDocx(bytes: number, lie = false): Promise<Buffer> {
  const docXml = Buffer.from(`<?xml version="1.0"?><w:document xmlns:w="${W}"><w:body><w:p><w:r><w:t>{{a}}</w:t></w:r></w:p></w:body></w:document>`);
  return makeZip([
    { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
    { name: 'word/document.xml', data: docXml },
    { name: 'word/media/bomb.bin', zeros: bytes, ...(lie ? { declaredSize: 1000 } : {}) },
  ]);
}
