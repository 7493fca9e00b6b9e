/** @module A template file that cannot be used as it is: wrong bytes for its type, a zip bomb, an XFA form.
 * Distinct from TemplateError (a spec that breaks the field rules) so an edge can pick a status by `code`. */

export type TemplateFileErrorCode =
  | 'unsupported_format'
  | 'not_docx'
  | 'not_pdf'
  | 'zip_bomb'
  | 'xfa_form'
  | 'encrypted_pdf'
  | 'no_fields'
  | 'bad_placeholder'
  | 'bad_front_matter'
  | 'not_utf8';

export class TemplateFileError extends Error {
  override readonly name = 'TemplateFileError';
  constructor(
    readonly code: TemplateFileErrorCode,
    message: string,
    /** Where in the file, e.g. `line 12` or `word/document.xml`. */
    readonly path = 'file',
  ) {
    super(message);
  }
}
