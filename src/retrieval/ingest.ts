/** @module Reads source files from disk through the document guard, normalises their text, chunks it and
 * stores it as documents, one file in memory at a time. */
import { open } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { DocumentRecord, Store } from '../store/store.js';
import { chunkText } from './chunk-text.js';
import { DEFAULT_DOCUMENT_LIMITS, GuardError, SNIFF_BYTES, checkSize, guardDocument, sniffDocument, type DocumentLimits } from './document-guard.js';
import { FORMATS, FormatError } from './formats/index.js';
import { IngestError } from './ingest-error.js';
import { statOrThrow, unsupported, walkDocuments } from './walk-documents.js';

export { IngestError, type IngestErrorCode } from './ingest-error.js';

/** File extensions (lower case) that ingestion reads, with the MIME type each document is stored under. */
export const SUPPORTED_EXTENSIONS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(Object.entries(FORMATS).map(([ext, f]) => [ext, f.mimeType])),
);

export interface IngestOptions {
  /** The document guard's limits; what is left out keeps its default. @default DEFAULT_DOCUMENT_LIMITS (50 MiB, zip 64 MiB) */
  limits?: Partial<DocumentLimits>;
}

/** A file read, guarded and turned into text, not yet chunked or stored. */
interface ReadDocument {
  name: string;
  mimeType: string;
  text: string;
}

function limitsOf(opts: IngestOptions): DocumentLimits {
  return { ...DEFAULT_DOCUMENT_LIMITS, ...opts.limits };
}

/** Runs a guard rule, putting the file's path in front of what it refuses. */
function guarded<T>(path: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof GuardError) throw new IngestError(err.problem, path, `${path}: ${err.message}`);
    throw err;
  }
}

async function openOrThrow(path: string) {
  try {
    return await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new IngestError('not_found', path, `${path}: no such file or directory`);
    throw err;
  }
}

/** The first bytes of a file, for the sniffing rules, without reading the rest. */
async function readHead(path: string, size: number): Promise<Buffer> {
  const handle = await openOrThrow(path);
  try {
    const head = Buffer.alloc(Math.min(size, SNIFF_BYTES));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * The whole file, measured on the open handle before it is read, so what the size rule saw is what is read:
 * never more than the limit, even when the path is swapped for a bigger file in between.
 */
async function readWhole(path: string, limits: DocumentLimits): Promise<Buffer> {
  const handle = await openOrThrow(path);
  try {
    const { size } = await handle.stat();
    guarded(path, () => checkSize(size, limits));
    const bytes = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const { bytesRead } = await handle.read(bytes, read, size - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    const { bytesRead: more } = await handle.read(Buffer.alloc(1), 0, 1, size);
    if (read < size || more > 0) throw new IngestError('unreadable', path, `${path}: the file changed while it was read; try again`);
    return bytes;
  } finally {
    await handle.close();
  }
}

/**
 * The text every offset refers to, from the file's format reader (formats/), after the guard passed the very
 * bytes the reader gets: UTF-8 without a byte-order mark, line ends as `\n`, pages (PDF) separated by form
 * feeds so chunks and quotes know their page.
 */
async function readDocument(path: string, limits: DocumentLimits): Promise<ReadDocument> {
  const ext = extname(path).toLowerCase();
  const format = FORMATS[ext];
  if (format === undefined) throw unsupported(path);
  const bytes = await readWhole(path, limits);
  guarded(path, () => guardDocument(ext, bytes, limits));
  let text: string;
  try {
    ({ text } = await format.read(bytes));
  } catch (err) {
    if (err instanceof FormatError) throw new IngestError(err.problem, path, `${path}: ${err.message}`);
    throw err;
  }
  if (text.trim() === '') throw new IngestError('empty', path, `${path}: the file is empty`);
  return { name: basename(path), mimeType: format.mimeType, text };
}

function storeDocument(store: Store, doc: ReadDocument): Promise<DocumentRecord> {
  // putDocument stores the document and its chunks in one transaction: a failure leaves nothing of it.
  return store.putDocument(doc, chunkText(doc.text));
}

/**
 * Reads one file of a supported format (.txt, .md, .html, .pdf, .docx) through the document guard and stores
 * it with its chunks. Storing the same text again returns the record already stored.
 *
 * @throws IngestError when the file is missing, not a file, of another type, over the size limit, not what
 *   its extension says, a zip bomb, binary, not UTF-8, unreadable, a PDF without a text layer, or empty.
 */
export async function ingestFile(store: Store, path: string, opts: IngestOptions = {}): Promise<DocumentRecord> {
  const info = await statOrThrow(path);
  if (!info.isFile()) {
    throw new IngestError('not_a_file', path, `${path}: not a file; to ingest a folder, use ingestPaths`);
  }
  return storeDocument(store, await readDocument(path, limitsOf(opts)));
}

/**
 * Ingests files and folders. Folders are searched recursively for supported files (dot-entries and other
 * types inside them are skipped); a file named explicitly must be of a supported type.
 *
 * One bad path stores nothing, and memory holds one document at a time, never the folder. That takes three
 * passes over the file list (paths only): (1) the folder walk with the checks that read no file whole — size
 * by stat, the first bytes sniffed — so a file that is too big or not what its name says is reported at once,
 * however many files come before it; (2) each file read, guarded and parsed, then dropped; (3) each file read,
 * guarded, parsed, chunked and stored before the next is read. The price of (2) is reading and parsing every
 * file twice. A file that changes between (2) and (3) and fails is reported with how many were stored before it.
 *
 * @returns one record per file, in argument order with each folder's files in sorted path order; a file
 *   reached twice appears once.
 * @throws IngestError naming the first path that cannot be ingested.
 * @example
 * const docs = await ingestPaths(store, ['contracts/', 'notes.md']);
 * const ids = docs.map((d) => d.id);
 */
export async function ingestPaths(store: Store, paths: string[], opts: IngestOptions = {}): Promise<DocumentRecord[]> {
  const limits = limitsOf(opts);
  const files: string[] = [];
  // (1) Cheap checks as the walk reaches each file.
  for await (const { path, size } of walkDocuments(paths)) {
    guarded(path, () => checkSize(size, limits));
    const head = await readHead(path, size);
    guarded(path, () => sniffDocument(extname(path).toLowerCase(), head));
    files.push(path);
  }
  // (2) Every check, parsing included, one file at a time, keeping nothing.
  for (const file of files) await readDocument(file, limits);

  // (3) Read and store, one file at a time; the guard runs again on the bytes actually parsed.
  const records: DocumentRecord[] = [];
  for (const file of files) {
    try {
      records.push(await storeDocument(store, await readDocument(file, limits)));
    } catch (err) {
      if (err instanceof IngestError && records.length > 0) {
        throw new IngestError(err.code, err.path, `${err.message} (it changed after it was checked; the ${records.length} file(s) before it are stored)`);
      }
      throw err;
    }
  }
  return records;
}
