/** @module The checks a document's bytes pass before any reader parses them, the same on every way a document
 * enters (`fillflow fill --docs`, `fillflow ingest`, POST /api/documents, the benchmarks): a size limit, first
 * bytes that match the extension, text that is text, and for a DOCX the zip guard. Pure: bytes in, a
 * GuardError naming the rule out; ingest.ts does the reading and puts the file's path in front. */
import { DEFAULT_ZIP_LIMITS, ZipError, checkZip, type ZipLimits } from '../templates/zip-guard.js';

export interface DocumentLimits {
  /** Largest document file, in bytes. @default 50 MiB (the HTTP API's upload limit) */
  maxBytes: number;
  /** What a DOCX (a ZIP archive) may hold once unpacked. @default DEFAULT_ZIP_LIMITS: 64 MiB, 2000 entries */
  zip: ZipLimits;
}

/** The limits documents are held to, whichever way they come in, unless a caller sets its own. */
export const DEFAULT_DOCUMENT_LIMITS: Readonly<DocumentLimits> = Object.freeze({ maxBytes: 50 * 1024 * 1024, zip: DEFAULT_ZIP_LIMITS });

/** Why the bytes were refused; each asks the user for a different fix. */
export type GuardProblem = 'too_large' | 'empty' | 'wrong_type' | 'binary' | 'not_utf8' | 'zip_bomb' | 'unreadable';

export class GuardError extends Error {
  override readonly name = 'GuardError';
  constructor(
    readonly problem: GuardProblem,
    message: string,
  ) {
    super(message);
  }
}

/**
 * How many leading bytes sniffing reads. A PDF's `%PDF-` header may come after up to 1024 bytes of junk
 * (pdf.js allows it, and so does the PDF form-template reader), so that is the window.
 */
export const SNIFF_BYTES = 1024;

const TEXT_EXTENSIONS = new Set(['.txt', '.md', '.html', '.htm']);
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/** Leading bytes of formats that are never text, and what to call them in an error. */
const SIGNATURES: readonly { magic: readonly number[]; what: string }[] = [
  { magic: [0x25, 0x50, 0x44, 0x46, 0x2d], what: 'a PDF file; name it .pdf' },
  { magic: ZIP_MAGIC, what: 'a ZIP archive (a Word file? name it .docx)' },
  { magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], what: 'a PNG image' },
  { magic: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  { magic: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image' },
  { magic: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], what: 'a legacy Office file (.doc, .xls); save it as .docx' },
  { magic: [0x7f, 0x45, 0x4c, 0x46], what: 'an executable' },
  { magic: [0x1f, 0x8b], what: 'a gzip archive' },
];

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

function mib(bytes: number): string {
  const m = bytes / (1024 * 1024);
  return `${Number.isInteger(m) ? m : m.toFixed(1)} MiB`;
}

/** What the first bytes look like, for a message that says what the file is instead. */
function looksLike(head: Uint8Array): string {
  const known = SIGNATURES.find((s) => startsWith(head, s.magic));
  if (known) return known.what.split(';')[0]!;
  return head.includes(0) ? 'binary data' : 'text';
}

/** The size rule, checked on a stat before anything is read (and again on what is read). */
export function checkSize(size: number, limits: Pick<DocumentLimits, 'maxBytes'> = DEFAULT_DOCUMENT_LIMITS): void {
  if (size > limits.maxBytes) {
    throw new GuardError('too_large', `the file is ${size} bytes (${mib(size)}), over the limit for documents of ${limits.maxBytes} bytes (${mib(limits.maxBytes)})`);
  }
  if (size === 0) throw new GuardError('empty', 'the file is empty');
}

/**
 * The sniffing rules, on the first {@link SNIFF_BYTES} bytes: a .pdf has a `%PDF-` header, a .docx starts
 * as a ZIP does, and a text file (.txt, .md, .html) does not start like a known binary format.
 */
export function sniffDocument(extension: string, head: Uint8Array): void {
  const window = head.subarray(0, SNIFF_BYTES);
  if (extension === '.pdf') {
    if (Buffer.from(window.buffer, window.byteOffset, window.byteLength).indexOf('%PDF-') < 0) {
      throw new GuardError('wrong_type', `not a PDF file: no %PDF- header in its first ${SNIFF_BYTES} bytes (it looks like ${looksLike(window)})`);
    }
  } else if (extension === '.docx') {
    if (!startsWith(window, ZIP_MAGIC)) {
      throw new GuardError('wrong_type', `not a DOCX file: a DOCX is a ZIP archive, and this one does not start like one (it looks like ${looksLike(window)})`);
    }
  } else if (TEXT_EXTENSIONS.has(extension)) {
    const known = SIGNATURES.find((s) => startsWith(window, s.magic));
    if (known) throw new GuardError('wrong_type', `not a text file: it is ${known.what}`);
  }
}

/**
 * The rules that need the whole file: a DOCX passes the zip guard (entries inflated under a byte budget, so a
 * bomb is refused without being unpacked), and a text file holds no NUL byte (text never does; a binary
 * file named .txt almost always does). UTF-8 validity is the text readers' own check.
 */
export function checkContent(extension: string, bytes: Uint8Array, limits: Pick<DocumentLimits, 'zip'> = DEFAULT_DOCUMENT_LIMITS): void {
  if (extension === '.docx') {
    try {
      checkZip(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), limits.zip);
    } catch (err) {
      if (!(err instanceof ZipError)) throw err;
      if (err.code === 'zip_bomb') throw new GuardError('zip_bomb', `refused as a zip bomb: ${err.message}`);
      throw new GuardError(err.code === 'not_a_zip' ? 'wrong_type' : 'unreadable', `not a usable DOCX file: ${err.message}`);
    }
  } else if (TEXT_EXTENSIONS.has(extension)) {
    if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) {
      throw new GuardError('not_utf8', 'UTF-16 text (it starts with a UTF-16 byte-order mark); save it as UTF-8');
    }
    const nul = bytes.indexOf(0);
    if (nul >= 0) throw new GuardError('binary', `binary data, not text: a NUL byte at offset ${nul}`);
  }
}

/** Every rule, on the bytes a reader is about to parse: what is checked is what is read. */
export function guardDocument(extension: string, bytes: Uint8Array, limits: DocumentLimits = DEFAULT_DOCUMENT_LIMITS): void {
  checkSize(bytes.length, limits);
  sniffDocument(extension, bytes);
  checkContent(extension, bytes, limits);
}
