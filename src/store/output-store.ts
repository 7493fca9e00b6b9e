/** @module Rendered filled documents (Markdown, DOCX, PDF form), downloadable, and the template source files
 * they are rendered from. The store methods of this part. */

/** The file a template was made from; JSON templates have none. */
export interface TemplateSourceRecord {
  templateId: string;
  format: 'markdown' | 'docx' | 'pdf';
  fileName: string;
  mediaType: string;
  bytes: Buffer;
  /** For PDF forms: field key → form field name. */
  fieldNames?: Record<string, string>;
  createdAt: string;
}

/** A fill's filled document. */
export interface OutputRecord {
  /** What FillResult.outputRef holds: `<fillId>/<fileName>`. */
  ref: string;
  fillId: string;
  templateId: string;
  fileName: string;
  mediaType: string;
  bytes: Buffer;
  createdAt: string;
}

export interface OutputStore {
  /** Replaces the template's source file. */
  putTemplateSource(source: Omit<TemplateSourceRecord, 'createdAt'>): Promise<void>;
  getTemplateSource(templateId: string): Promise<TemplateSourceRecord | undefined>;
  /** A template replaced by a JSON spec has no document any more. */
  deleteTemplateSource(templateId: string): Promise<void>;
  /** Stores (or, for a re-rendered fill, replaces) the fill's output; returns its ref. */
  putOutput(output: Omit<OutputRecord, 'ref' | 'createdAt'>): Promise<string>;
  getOutput(fillId: string): Promise<OutputRecord | undefined>;
}
