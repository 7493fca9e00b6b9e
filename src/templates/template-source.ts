/** @module The records of a template read from a file: its spec, the source document it came from, and
 * what did not line up between the two. */
import type { TemplateIssue } from '../core/validate-template.js';
import type { TemplateSpec } from '../core/types.js';

const TEMPLATE_FORMATS = ['json', 'markdown', 'docx', 'pdf'] as const;
export type TemplateFormat = (typeof TEMPLATE_FORMATS)[number];

export const MEDIA_TYPES: Readonly<Record<TemplateFormat, string>> = {
  json: 'application/json',
  markdown: 'text/markdown; charset=utf-8',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pdf: 'application/pdf',
};

/** The file a template was made from; rendering fills a copy of it. A JSON template has none. */
export interface TemplateSourceFile {
  format: Exclude<TemplateFormat, 'json'>;
  fileName: string;
  mediaType: string;
  bytes: Buffer;
  /** For PDF forms: field key → the form field's own (fully qualified) name. */
  fieldNames?: Record<string, string>;
}

/** A template read from a file: what to store, and the mismatches to show the user. */
export interface ParsedTemplate {
  format: TemplateFormat;
  spec: TemplateSpec;
  source?: TemplateSourceFile;
  /** Fields in the document but missing from the spec and the reverse; the template still works. */
  warnings: TemplateIssue[];
}
