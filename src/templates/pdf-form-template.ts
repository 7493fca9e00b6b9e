/** @module Fillable PDF templates (AcroForm, through pdf-lib): the form's fields become the template's
 * fields; rendering fills them and can flatten the form. XFA forms are detected and refused. */
import {
  EncryptedPDFError,
  PDFBool,
  PDFCheckBox,
  PDFDict,
  PDFDocument,
  PDFDropdown,
  PDFName,
  PDFOptionList,
  PDFRadioGroup,
  PDFTextField,
  type PDFField,
} from 'pdf-lib';
import type { FieldSpec, FieldValue } from '../core/types.js';
import { keyToWords } from '../core/validate-template.js';
import { formatValue } from './format-value.js';
import { reconcileFields, type DocumentField, type SpecInput } from './reconcile-fields.js';
import { TemplateFileError } from './template-file-error.js';
import { MEDIA_TYPES, type ParsedTemplate } from './template-source.js';

async function load(bytes: Buffer, fileName: string): Promise<PDFDocument> {
  if (bytes.subarray(0, 1024).indexOf('%PDF-') < 0) throw new TemplateFileError('not_pdf', `${fileName} is not a PDF file (no %PDF- header)`);
  try {
    return await PDFDocument.load(bytes, { updateMetadata: false });
  } catch (err) {
    if (err instanceof EncryptedPDFError) {
      throw new TemplateFileError('encrypted_pdf', `${fileName} is encrypted; remove the password protection and upload it again`);
    }
    throw new TemplateFileError('not_pdf', `${fileName} could not be read as a PDF: ${(err as Error).message}`);
  }
}

/** `topmostSubform[0].Page1[0].First Name[0]` → `First_Name`: the last name segment, made a valid key. */
function keyForPdfField(name: string): string {
  const last = name.split('.').filter(Boolean).pop() ?? name;
  let key = last.replace(/\[\d+\]$/, '').replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+(?=[A-Za-z])/, '');
  if (!/^[A-Za-z_]/.test(key)) key = `f_${key}`;
  return key.slice(0, 64);
}

function hintFor(field: PDFField): Partial<Omit<FieldSpec, 'key'>> | undefined {
  if (field instanceof PDFCheckBox) return { type: 'boolean' };
  if (field instanceof PDFDropdown || field instanceof PDFRadioGroup || field instanceof PDFOptionList) {
    const options = [...new Set(field.getOptions().map((o) => o.trim()).filter(Boolean))];
    return options.length > 0 ? { type: 'enum', options } : { type: 'string' };
  }
  if (field instanceof PDFTextField) return { type: field.isMultiline() ? 'text' : 'string' };
  return undefined; // buttons and signatures hold no value to fill
}

export async function parsePdfFormTemplate(
  bytes: Buffer,
  opts: { fileName: string; spec?: SpecInput; id: string; name?: string },
): Promise<ParsedTemplate> {
  const pdf = await load(bytes, opts.fileName);
  // Checked on the catalog: pdf-lib's getForm() silently deletes XFA data, which would hide the problem.
  const acroForm = pdf.catalog.lookupMaybe(PDFName.of('AcroForm'), PDFDict);
  if (acroForm?.has(PDFName.of('XFA'))) {
    throw new TemplateFileError(
      'xfa_form',
      `${opts.fileName} is an XFA form (Adobe LiveCycle/Designer); only AcroForm PDFs can be filled. ` +
        'Save it from the form designer as a static AcroForm PDF, or print it to PDF and add form fields',
    );
  }
  const form = pdf.getForm();
  const fieldNames: Record<string, string> = {};
  const docFields: DocumentField[] = [];
  for (const field of form.getFields()) {
    const hint = hintFor(field);
    if (!hint) continue;
    const name = field.getName();
    let key = keyForPdfField(name);
    for (let n = 2; key in fieldNames; n++) key = `${keyForPdfField(name).slice(0, 60)}_${n}`;
    fieldNames[key] = name;
    docFields.push({ key, where: `PDF field ${JSON.stringify(name)}`, hint: { ...hint, label: keyToWords(key) } });
  }
  if (docFields.length === 0) {
    throw new TemplateFileError('no_fields', `${opts.fileName} has no fillable form fields (AcroForm); a flat PDF cannot be used as a template`);
  }
  const { spec, warnings } = reconcileFields(docFields, opts.spec, { id: opts.id, ...(opts.name ? { name: opts.name } : {}) });
  return {
    format: 'pdf',
    spec,
    source: { format: 'pdf', fileName: opts.fileName, mediaType: MEDIA_TYPES.pdf, bytes, fieldNames },
    warnings,
  };
}

export interface PdfRenderResult {
  bytes: Buffer;
  /** Values the form could not take as they are (an option not in a dropdown, text over a max length). */
  notices: string[];
}

/**
 * Fills the form's fields from `values` (by key, through `fieldNames`).
 * @param opts.flatten turn the fields into page content, so the output can no longer be edited
 */
export async function renderPdfForm(
  source: Buffer,
  fieldNames: Record<string, string>,
  values: Record<string, FieldValue>,
  opts: { flatten?: boolean } = {},
): Promise<PdfRenderResult> {
  const pdf = await PDFDocument.load(source, { updateMetadata: false });
  const form = pdf.getForm();
  const notices: string[] = [];
  for (const [key, name] of Object.entries(fieldNames)) {
    const value = values[key];
    if (value === undefined || value === null) continue;
    const field = form.getFieldMaybe(name);
    if (!field) continue;
    const text = formatValue(value);
    if (field instanceof PDFCheckBox) {
      if (value === true) field.check();
      else if (value === false) field.uncheck();
    } else if (field instanceof PDFTextField) {
      const max = field.getMaxLength();
      if (max !== undefined && text.length > max) notices.push(`${key}: cut to the form field's ${max} characters`);
      field.setText(max !== undefined ? text.slice(0, max) : text);
    } else if (field instanceof PDFDropdown || field instanceof PDFOptionList || field instanceof PDFRadioGroup) {
      const option = field.getOptions().find((o) => o.trim().toLowerCase() === text.trim().toLowerCase());
      if (option !== undefined) field.select(option);
      else notices.push(`${key}: "${text}" is not one of the form field's options; left empty`);
    }
  }
  if (opts.flatten) form.flatten();
  try {
    return { bytes: Buffer.from(await pdf.save()), notices };
  } catch (err) {
    if (opts.flatten) throw err;
    // A value outside the standard font's characters cannot get an appearance; the value is still
    // stored, and NeedAppearances asks the viewer to draw it.
    form.acroForm.dict.set(PDFName.of('NeedAppearances'), PDFBool.True);
    notices.push(`some values use characters the form's font lacks; the viewer draws them (${(err as Error).message.slice(0, 80)})`);
    return { bytes: Buffer.from(await pdf.save({ updateFieldAppearances: false })), notices };
  }
}

/** Flattens an already filled form (for a download that asks for it). */
export async function flattenPdf(bytes: Buffer): Promise<Buffer> {
  const pdf = await PDFDocument.load(bytes, { updateMetadata: false });
  pdf.getForm().flatten();
  return Buffer.from(await pdf.save());
}

