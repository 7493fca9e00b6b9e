/** @module DOCX templates: `{{field_key}}` placeholders anywhere in a Word document, also when Word split a
 * placeholder across runs (docxtemplater joins them). Compiled at upload, so template errors surface before any spend. */
import Docxtemplater from 'docxtemplater';
import PizZip from 'pizzip';
import type { FieldValue } from '../core/types.js';
import { formatValue } from './format-value.js';
import { reconcileFields, type DocumentField, type SpecInput } from './reconcile-fields.js';
import { TemplateFileError } from './template-file-error.js';
import { MEDIA_TYPES, type ParsedTemplate } from './template-source.js';
import { checkZip, ZipError } from './zip-guard.js';

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

interface DocxTemplaterError {
  properties?: { id?: string; explanation?: string; xtag?: string; file?: string; errors?: DocxTemplaterError[] };
  message?: string;
}

/** Opens the DOCX safely: ZIP checks first, then docxtemplater compiles every part. */
function compile(bytes: Buffer, fileName: string, modules: unknown[] = []): Docxtemplater {
  try {
    checkZip(bytes);
  } catch (err) {
    if (err instanceof ZipError) {
      throw new TemplateFileError(err.code === 'zip_bomb' ? 'zip_bomb' : 'not_docx', `${fileName} is not a usable DOCX: ${err.message}`);
    }
    throw err;
  }
  let zip: PizZip;
  try {
    zip = new PizZip(bytes);
  } catch (err) {
    throw new TemplateFileError('not_docx', `${fileName} is not a usable DOCX: ${(err as Error).message}`);
  }
  if (!zip.file('word/document.xml')) {
    throw new TemplateFileError('not_docx', `${fileName} is a ZIP archive but not a Word document (no word/document.xml)`);
  }
  try {
    return new Docxtemplater(zip, {
      delimiters: { start: '{{', end: '}}' },
      paragraphLoop: true,
      linebreaks: true,
      errorLogging: false,
      // Missing values render empty; the FillResult says why each one is missing.
      nullGetter: () => '',
      parser: (tag: string) => ({ get: (scope: Record<string, unknown>) => scope[tag.trim()] }),
      modules: modules as Docxtemplater.DXT.Module[],
    } as Docxtemplater.DXT.ConstructorOptions);
  } catch (err) {
    const e = err as DocxTemplaterError;
    const first = e.properties?.errors?.[0] ?? e;
    const p = first.properties;
    const where = [p?.file, p?.xtag ? `{{${p.xtag}}}` : undefined].filter(Boolean).join(' ');
    throw new TemplateFileError(
      'bad_placeholder',
      `${fileName}: ${p?.explanation ?? first.message ?? 'template error'}${(e.properties?.errors?.length ?? 0) > 1 ? ` (and ${e.properties!.errors!.length - 1} more)` : ''}`,
      where || 'word/document.xml',
    );
  }
}

interface TagPart {
  type?: string;
  value: string;
  module?: string;
  subparsed?: TagPart[];
}

/** A docxtemplater module that records every tag it compiles (InspectModule would need lodash). */
function tagCollector(into: TagPart[]) {
  const walk = (parts: TagPart[]) => {
    for (const p of parts) {
      if (p.type === 'placeholder') into.push(p);
      if (p.subparsed) walk(p.subparsed);
    }
  };
  return {
    name: 'TagCollector',
    postparse(postparsed: TagPart[]) {
      walk(postparsed);
      return postparsed;
    },
  };
}

/** The placeholders of the document in order; loops and other sections are refused (one value per field). */
function docxPlaceholders(bytes: Buffer, fileName: string): DocumentField[] {
  // The CommonJS export is a factory, whatever the bundled typings say.
  const tags: TagPart[] = [];
  compile(bytes, fileName, [tagCollector(tags)]);
  const seen = new Map<string, DocumentField>();
  for (const part of tags) {
    const tag = part.value.trim();
    if (part.module) {
      throw new TemplateFileError('bad_placeholder', `${fileName}: {{${part.value}}} is a section or loop; only plain {{field_key}} placeholders are supported`, `{{${part.value}}}`);
    }
    if (!KEY.test(tag)) {
      throw new TemplateFileError('bad_placeholder', `${fileName}: placeholder {{${part.value.slice(0, 80)}}} is not a field key`, `{{${part.value.slice(0, 80)}}}`);
    }
    if (!seen.has(tag)) seen.set(tag, { key: tag, where: `placeholder {{${tag}}}` });
  }
  return [...seen.values()];
}

export function parseDocxTemplate(bytes: Buffer, opts: { fileName: string; spec?: SpecInput; id: string; name?: string }): ParsedTemplate {
  const placeholders = docxPlaceholders(bytes, opts.fileName);
  if (placeholders.length === 0) throw new TemplateFileError('no_fields', `${opts.fileName} has no {{field_key}} placeholders`);
  const { spec, warnings } = reconcileFields(placeholders, opts.spec, { id: opts.id, ...(opts.name ? { name: opts.name } : {}) });
  return { format: 'docx', spec, source: { format: 'docx', fileName: opts.fileName, mediaType: MEDIA_TYPES.docx, bytes }, warnings };
}

export function renderDocx(source: Buffer, values: Record<string, FieldValue>, fileName = 'template.docx'): Buffer {
  const doc = compile(source, fileName);
  const data = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, formatValue(v)]));
  doc.render(data);
  return doc.getZip().generate({ type: 'nodebuffer', compression: 'DEFLATE' }) as Buffer;
}
