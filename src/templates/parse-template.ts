/** @module Reads a template from any format users have (JSON spec, Markdown, DOCX, fillable PDF): picks the
 * format from the name and checks the bytes agree, so a binary posing as .docx is refused by its content. */
import { extname } from 'node:path';
import { validateTemplate } from '../core/validate-template.js';
import { parseDocxTemplate } from './docx-template.js';
import { parseMarkdownTemplate } from './markdown-template.js';
import { parsePdfFormTemplate } from './pdf-form-template.js';
import { idFromFileName, type SpecInput } from './reconcile-fields.js';
import { TemplateFileError } from './template-file-error.js';
import type { ParsedTemplate, TemplateFormat } from './template-source.js';

export const TEMPLATE_EXTENSIONS: Readonly<Record<string, TemplateFormat>> = {
  '.json': 'json',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.docx': 'docx',
  '.pdf': 'pdf',
};

export interface TemplateFileInput {
  fileName: string;
  bytes: Buffer;
  /** A JSON spec to go with a document template: its fields' types and labels win; mismatches are reported. */
  spec?: SpecInput;
  /** Overrides the spec's or front matter's id, else the file name gives it. */
  id?: string;
  name?: string;
}

function templateFormatOf(fileName: string): TemplateFormat | undefined {
  return TEMPLATE_EXTENSIONS[extname(fileName).toLowerCase()];
}

/**
 * @throws TemplateFileError for a file that is not what its name says, or cannot be a template
 * @throws TemplateError (core) for fields that break the template rules, with the path of each problem
 */
export async function parseTemplateFile(input: TemplateFileInput): Promise<ParsedTemplate> {
  const format = templateFormatOf(input.fileName);
  if (format === undefined) {
    throw new TemplateFileError(
      'unsupported_format',
      `${input.fileName}: unsupported template type "${extname(input.fileName) || '(none)'}"; use ${Object.keys(TEMPLATE_EXTENSIONS).join(', ')}`,
    );
  }
  const spec = input.spec && input.id ? { ...input.spec, id: input.id } : input.spec;
  const id = input.id ?? (typeof spec?.id === 'string' ? spec.id : idFromFileName(input.fileName));
  const opts = { fileName: input.fileName, id, ...(input.name ? { name: input.name } : {}), ...(spec ? { spec } : {}) };
  switch (format) {
    case 'json': {
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(input.bytes));
      } catch (err) {
        throw new TemplateFileError('unsupported_format', `${input.fileName} is not valid JSON: ${(err as Error).message}`);
      }
      // A template without an id takes its file name, so a quick template needs nothing but fields.
      if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
        const o = json as Record<string, unknown>;
        if (input.id !== undefined) o.id = input.id;
        else if (!('id' in o)) o.id = id;
        if (input.name !== undefined) o.name = input.name;
      }
      return { format, spec: validateTemplate(json), warnings: [] };
    }
    case 'markdown':
      if (input.bytes.includes(0)) throw new TemplateFileError('not_utf8', `${input.fileName} is binary, not Markdown text`);
      return parseMarkdownTemplate(input.bytes, opts);
    case 'docx':
      return parseDocxTemplate(input.bytes, opts);
    case 'pdf':
      return parsePdfFormTemplate(input.bytes, opts);
  }
}
