/** Each template format round-trips: parse, render with values, read the values back out of the output
 * with the same library. Plus the refusals: XFA, zip bombs, binaries posing as .docx, bad placeholders. */
import { describe, expect, it } from 'vitest';
import { TemplateError } from '../../../src/core/validate-template.js';
import { parseTemplateFile } from '../../../src/templates/parse-template.js';
import { flattenPdf } from '../../../src/templates/pdf-form-template.js';
import { renderOutput } from '../../../src/templates/render-output.js';
import { TemplateFileError } from '../../../src/templates/template-file-error.js';
import { checkZip } from '../../../src/templates/zip-guard.js';
import { PDFDocument } from 'pdf-lib';
import { docxParagraphs, makeDocx, makePdfForm, makeZipBombDocx, readPdfForm } from '../../helpers/template-fixtures.js';

const values = {
  legal_name: 'Harbour Lane Logistics Limited',
  employee_count: 248,
  annual_turnover: { amount: 18450000, currency: 'GBP' },
  certifications: ['ISO 9001', 'ISO 14001'],
  nda_signed: true,
  sector: 'Retail',
  website: null,
};

async function refusal(p: Promise<unknown>): Promise<TemplateFileError | TemplateError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err instanceof TemplateFileError || err instanceof TemplateError, String(err)).toBe(true);
  return err as TemplateFileError | TemplateError;
}

describe('Markdown templates', () => {
  const md = [
    '---',
    'name: Supplier summary',
    'fields:',
    '  - { key: legal_name, label: Legal name, type: string }',
    '  - { key: employee_count, type: integer }',
    '  - { key: annual_turnover, type: money }',
    '  - { key: unused_in_text, type: string }',
    '---',
    '# {{ legal_name }}',
    'Staff: {{employee_count}}; turnover {{annual_turnover}}; web {{website}}.',
    '',
  ].join('\n');

  it('takes fields from front matter, adds placeholders it lacks, reports both mismatches, and renders', async () => {
    const parsed = await parseTemplateFile({ fileName: 'supplier.md', bytes: Buffer.from(md) });
    expect(parsed.format).toBe('markdown');
    expect(parsed.spec.id).toBe('supplier');
    expect(parsed.spec.name).toBe('Supplier summary');
    expect(parsed.spec.fields.map((f) => [f.key, f.type])).toEqual([
      ['legal_name', 'string'],
      ['employee_count', 'integer'],
      ['annual_turnover', 'money'],
      ['unused_in_text', 'string'],
      ['website', 'string'],
    ]);
    expect(parsed.warnings.map((w) => w.path)).toEqual(['line 10', 'fields[3]']);
    expect(parsed.warnings[0]!.message).toMatch(/"website" is in the document but not in the spec/);
    expect(parsed.warnings[1]!.message).toMatch(/"unused_in_text" is in the spec but not in the document/);

    const out = await renderOutput(parsed.spec, parsed.source, values);
    expect(out.fileName).toBe('supplier.filled.md');
    expect(out.bytes.toString()).toBe('# Harbour Lane Logistics Limited\nStaff: 248; turnover 18,450,000.00 GBP; web .\n');
  });

  it('without front matter, every placeholder is a string field', async () => {
    const parsed = await parseTemplateFile({ fileName: 'Quick Form.md', bytes: Buffer.from('Name {{legal_name}}, again {{legal_name}}') });
    expect(parsed.spec).toEqual({ id: 'Quick-Form', name: 'Quick-Form', fields: [{ key: 'legal_name', label: 'Legal name', type: 'string' }] });
    expect(parsed.warnings).toEqual([]);
  });

  it.each([
    ['a placeholder that is not a key', 'Hello {{ not a key }}', /line 1: placeholder/],
    ['an unclosed placeholder', 'one\ntwo {{legal_name', /never closed/],
    ['no placeholders at all', 'plain text', /no \{\{field_key\}\} placeholders/],
    ['front matter that is not YAML', '---\nfields: [\n---\n{{a}}', /front matter is not valid YAML/],
    ['an enum without options in front matter', '---\nfields:\n  - { key: a, type: enum }\n---\n{{a}}', /fields\[0\]\.options/],
  ])('refuses %s', async (_name, text, message) => {
    const err = await refusal(parseTemplateFile({ fileName: 't.md', bytes: Buffer.from(text) }));
    expect(err.message).toMatch(message);
  });
});

describe('DOCX templates', () => {
  // Word splits text into runs at every formatting change: "{{", "legal_", "name}}" is one placeholder.
  const docx = makeDocx([['Supplier: {{', 'legal_', 'name}}'], ['Staff {{ employee_count }}, NDA {{nda_signed}}'], ['Certs: {{certifications}}']]);

  it('finds placeholders split across runs and renders them back into the paragraphs', async () => {
    const parsed = await parseTemplateFile({
      fileName: 'form.docx',
      bytes: docx,
      spec: { id: 'supplier-docx', fields: [{ key: 'legal_name', type: 'string' }, { key: 'employee_count', type: 'integer' }, { key: 'vat_number', type: 'string' }] },
    });
    expect(parsed.spec.id).toBe('supplier-docx');
    expect(parsed.spec.fields.map((f) => f.key)).toEqual(['legal_name', 'employee_count', 'vat_number', 'nda_signed', 'certifications']);
    expect(parsed.warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/"nda_signed" is in the document but not in the spec/),
      expect.stringMatching(/"certifications" is in the document but not in the spec/),
      expect.stringMatching(/"vat_number" is in the spec but not in the document/),
    ]);
    const out = await renderOutput(parsed.spec, parsed.source, values);
    expect(out.fileName).toBe('form.filled.docx');
    expect(docxParagraphs(out.bytes)).toEqual(['Supplier: Harbour Lane Logistics Limited', 'Staff 248, NDA Yes', 'Certs: ISO 9001, ISO 14001']);
  });

  it('escapes values as XML text', async () => {
    const parsed = await parseTemplateFile({ fileName: 'x.docx', bytes: makeDocx([['{{a}}']]) });
    const out = await renderOutput(parsed.spec, parsed.source, { a: 'Smith & Sons <Ltd> "q"' });
    expect(docxParagraphs(out.bytes)).toEqual(['Smith & Sons <Ltd> "q"']);
  });

  it.each([
    ['an unclosed tag', [['Hi {{legal_name']], /unclosed/],
    ['a loop section', [['{{#items}}x{{/items}}']], /section or loop/],
    ['a placeholder that is not a key', [['{{two words}}']], /not a field key/],
    ['no placeholders', [['nothing here']], /no \{\{field_key\}\}/],
  ])('reports %s before any fill', async (_name, paragraphs, message) => {
    const err = await refusal(parseTemplateFile({ fileName: 'bad.docx', bytes: makeDocx(paragraphs as string[][]) }));
    expect(err.message).toMatch(message);
  });

  it('refuses a binary posing as .docx, a ZIP that is not Word, and zip bombs (honest and lying sizes)', async () => {
    const fake = await refusal(parseTemplateFile({ fileName: 'evil.docx', bytes: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...Array(200).fill(0)]) }));
    expect((fake as TemplateFileError).code).toBe('not_docx');
    const pdfAsDocx = await refusal(parseTemplateFile({ fileName: 'evil.docx', bytes: await makePdfForm([{ name: 'a', kind: 'text' }]) }));
    expect((pdfAsDocx as TemplateFileError).code).toBe('not_docx');

    const t0 = performance.now();
    for (const lie of [false, true]) {
      const bomb = await makeZipBombDocx(200 * 1024 * 1024, lie);
      expect(bomb.length).toBeLessThan(1024 * 1024);
      const err = await refusal(parseTemplateFile({ fileName: 'bomb.docx', bytes: bomb }));
      expect((err as TemplateFileError).code).toBe('zip_bomb');
    }
    expect(performance.now() - t0).toBeLessThan(15_000);
  });

  it('refuses unsafe entry names in the archive', async () => {
    const { makeZip } = await import('../../helpers/template-fixtures.js');
    const zip = await makeZip([{ name: '../../etc/passwd', data: Buffer.from('x') }]);
    expect(() => checkZip(zip)).toThrow(/unsafe entry name/);
  });
});

describe('PDF form templates', () => {
  const fields = [
    { name: 'legal_name', kind: 'text' as const },
    { name: 'topmostSubform[0].Page1[0].Employee count[0]', kind: 'text' as const },
    { name: 'nda_signed', kind: 'checkbox' as const },
    { name: 'sector', kind: 'dropdown' as const, options: ['Manufacturing', 'Retail'] },
  ];

  it('makes the form fields the template fields, fills them, and flattens on request', async () => {
    const pdf = await makePdfForm(fields);
    const parsed = await parseTemplateFile({ fileName: 'supplier.pdf', bytes: pdf });
    expect(parsed.spec.fields.map((f) => [f.key, f.type, f.options])).toEqual([
      ['legal_name', 'string', undefined],
      ['Employee_count', 'string', undefined],
      ['nda_signed', 'boolean', undefined],
      ['sector', 'enum', ['Manufacturing', 'Retail']],
    ]);
    const out = await renderOutput(parsed.spec, parsed.source, { ...values, Employee_count: '248' });
    expect(await readPdfForm(out.bytes)).toEqual({
      legal_name: 'Harbour Lane Logistics Limited',
      'topmostSubform[0].Page1[0].Employee count[0]': '248',
      nda_signed: true,
      sector: 'Retail',
    });
    const flat = await PDFDocument.load(await flattenPdf(out.bytes));
    expect(flat.getForm().getFields()).toHaveLength(0);
  });

  it('says so when a value is not one of a dropdown’s options, and keeps non-Latin text', async () => {
    const parsed = await parseTemplateFile({ fileName: 'f.pdf', bytes: await makePdfForm(fields) });
    const out = await renderOutput(parsed.spec, parsed.source, { sector: 'Mining', legal_name: 'Łódź Logistyka Sp. z o.o.' });
    expect(out.notices.join(' ')).toMatch(/"Mining" is not one of the form field's options/);
    expect((await readPdfForm(out.bytes)).legal_name).toBe('Łódź Logistyka Sp. z o.o.');
  });

  it('refuses an XFA form, a PDF without form fields, and a non-PDF named .pdf', async () => {
    const xfa = await refusal(parseTemplateFile({ fileName: 'xfa.pdf', bytes: await makePdfForm(fields, { xfa: true }) }));
    expect((xfa as TemplateFileError).code).toBe('xfa_form');
    expect(xfa.message).toMatch(/XFA form.*only AcroForm PDFs can be filled/);
    const flat = await PDFDocument.create();
    flat.addPage();
    const none = await refusal(parseTemplateFile({ fileName: 'flat.pdf', bytes: Buffer.from(await flat.save()) }));
    expect((none as TemplateFileError).code).toBe('no_fields');
    const fake = await refusal(parseTemplateFile({ fileName: 'fake.pdf', bytes: Buffer.from('hello') }));
    expect((fake as TemplateFileError).code).toBe('not_pdf');
  });
});

describe('JSON templates', () => {
  it('renders a Markdown page of labels and values (a JSON spec has no document of its own)', async () => {
    const parsed = await parseTemplateFile({ fileName: 'spec.json', bytes: Buffer.from(JSON.stringify({ name: 'S', fields: [{ key: 'legal_name', label: 'Legal name', type: 'string' }] })) });
    expect(parsed.spec.id).toBe('spec');
    const out = await renderOutput(parsed.spec, parsed.source, values);
    expect(out.bytes.toString()).toBe('# S\n\n- **Legal name**: Harbour Lane Logistics Limited\n');
  });

  it('names the path of a bad field', async () => {
    const err = await refusal(parseTemplateFile({ fileName: 't.json', bytes: Buffer.from('{"id":"t","fields":[{"key":"a","type":"enum"}]}') }));
    expect((err as TemplateError).issues[0]!.path).toBe('fields[0].options');
  });

  it('refuses an unknown extension', async () => {
    const err = await refusal(parseTemplateFile({ fileName: 't.exe', bytes: Buffer.from('MZ') }));
    expect((err as TemplateFileError).code).toBe('unsupported_format');
  });
});
