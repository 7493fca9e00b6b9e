/** @module The document formats ingestion reads, by file extension: each with its MIME type and reader. */
import type { ExtractedText } from './extracted-text.js';
import { readDocx } from './read-docx.js';
import { readHtml } from './read-html.js';
import { readPdf } from './read-pdf.js';
import { readPlain } from './read-plain.js';

export { FormatError } from './extracted-text.js';

export interface DocumentFormat {
  mimeType: string;
  read(bytes: Uint8Array): ExtractedText | Promise<ExtractedText>;
}

/** Lower-case extensions; a new format is one reader module and one line here. */
export const FORMATS: Readonly<Record<string, DocumentFormat>> = Object.freeze({
  '.txt': { mimeType: 'text/plain', read: readPlain },
  '.md': { mimeType: 'text/markdown', read: readPlain },
  '.html': { mimeType: 'text/html', read: readHtml },
  '.htm': { mimeType: 'text/html', read: readHtml },
  '.pdf': { mimeType: 'application/pdf', read: readPdf },
  '.docx': { mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', read: readDocx },
});
