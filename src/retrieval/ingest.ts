/** @module Reads source files from disk, normalises their text, chunks it and stores it as documents. */
import type { Stats } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import type { DocumentRecord, NewChunk, Store } from '../store/store.js';
import { chunkText } from './chunk-text.js';
import { FORMATS, FormatError } from './formats/index.js';

/** File extensions (lower case) that ingestion reads, with the MIME type each document is stored under. */
export const SUPPORTED_EXTENSIONS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(Object.entries(FORMATS).map(([ext, f]) => [ext, f.mimeType])),
);

/** Why a path could not be ingested; each asks for a different fix from the user. */
export type IngestErrorCode =
  | 'not_found'
  | 'unsupported_type'
  | 'not_a_file'
  | 'empty'
  | 'not_utf8'
  | 'no_text_layer'
  | 'unreadable'
  | 'no_documents';

/**
 * A problem with a path the user gave, as opposed to a failure of the store. The message names the path, so
 * an edge (CLI, HTTP) can show it as it is; `code` lets it choose a status without parsing the message.
 */
export class IngestError extends Error {
  override readonly name = 'IngestError';
  constructor(
    readonly code: IngestErrorCode,
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** A file read and chunked, not yet stored. */
interface PreparedDocument {
  name: string;
  mimeType: string;
  text: string;
  chunks: NewChunk[];
}

const SUPPORTED_LIST = Object.keys(SUPPORTED_EXTENSIONS).join(', ');

function mimeTypeOf(path: string): string | undefined {
  return SUPPORTED_EXTENSIONS[extname(path).toLowerCase()];
}

function unsupported(path: string): IngestError {
  const ext = extname(path) || '(no extension)';
  return new IngestError(
    'unsupported_type',
    path,
    `${path}: unsupported file type ${ext}; supported extensions are ${SUPPORTED_LIST}`,
  );
}

/**
 * The text every offset refers to, from the file's format reader (formats/): UTF-8 without a byte-order
 * mark, line ends as `\n`, pages (PDF) separated by form feeds so chunks and quotes know their page.
 */
async function prepareFile(path: string): Promise<PreparedDocument> {
  const format = FORMATS[extname(path).toLowerCase()];
  if (format === undefined) throw unsupported(path);
  let text: string;
  try {
    ({ text } = await format.read(await readFile(path)));
  } catch (err) {
    if (err instanceof FormatError) throw new IngestError(err.problem, path, `${path}: ${err.message}`);
    throw err;
  }
  if (text.trim() === '') throw new IngestError('empty', path, `${path}: the file is empty`);
  return { name: basename(path), mimeType: format.mimeType, text, chunks: chunkText(text) };
}

async function statOrThrow(path: string): Promise<Stats> {
  try {
    return await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new IngestError('not_found', path, `${path}: no such file or directory`);
    }
    throw err;
  }
}

/**
 * Files under `dir` that ingestion reads, depth first in code-unit order of names, so the same tree always
 * gives the same order on every machine and locale. Dot-entries (.git, .DS_Store) are skipped.
 */
async function listDirectory(dir: string, seen: Set<string>): Promise<string[]> {
  // A symlink back up the tree would otherwise recurse forever.
  const real = await realpath(dir);
  if (seen.has(real)) return [];
  seen.add(real);

  const entries = (await readdir(dir))
    .filter((name) => !name.startsWith('.'))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const files: string[] = [];
  for (const name of entries) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined); // a dangling symlink inside a folder is not the user's file
    if (info?.isDirectory()) files.push(...(await listDirectory(path, seen)));
    else if (info?.isFile() && mimeTypeOf(path) !== undefined) files.push(path);
  }
  return files;
}

/** Every file the paths name, in argument order with folders expanded, each once; throws before reading any. */
async function resolveFiles(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await statOrThrow(path);
    if (info.isDirectory()) {
      const found = await listDirectory(path, new Set());
      if (found.length === 0) {
        throw new IngestError('no_documents', path, `${path}: the folder holds no ${SUPPORTED_LIST} files`);
      }
      files.push(...found);
    } else if (info.isFile()) {
      if (mimeTypeOf(path) === undefined) throw unsupported(path);
      files.push(path);
    } else {
      throw new IngestError('not_a_file', path, `${path}: neither a file nor a folder`);
    }
  }
  const seen = new Set<string>();
  return files.filter((file) => {
    const key = resolve(file);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Reads one file of a supported format (.txt, .md, .html, .pdf, .docx) and stores it with its chunks. Storing the same text again returns the
 * record already stored.
 *
 * @throws IngestError when the file is missing, not a file, of another type, not UTF-8, unreadable, a PDF
 *   without a text layer, or empty.
 */
export async function ingestFile(store: Store, path: string): Promise<DocumentRecord> {
  const info = await statOrThrow(path);
  if (!info.isFile()) {
    throw new IngestError('not_a_file', path, `${path}: not a file; to ingest a folder, use ingestPaths`);
  }
  const doc = await prepareFile(path);
  return store.putDocument({ name: doc.name, mimeType: doc.mimeType, text: doc.text }, doc.chunks);
}

/**
 * Ingests files and folders. Folders are searched recursively for supported files (dot-entries and other
 * types inside them are skipped); a file named explicitly must be of a supported type. Every file is read
 * and checked before the first is stored, so one bad path stores nothing.
 *
 * @returns one record per file, in argument order with each folder's files in sorted path order; a file
 *   reached twice appears once.
 * @throws IngestError naming the first path that cannot be ingested.
 * @example
 * const docs = await ingestPaths(store, ['contracts/', 'notes.md']);
 * const ids = docs.map((d) => d.id);
 */
export async function ingestPaths(store: Store, paths: string[]): Promise<DocumentRecord[]> {
  const files = await resolveFiles(paths);
  const prepared: PreparedDocument[] = [];
  for (const file of files) prepared.push(await prepareFile(file));
  const records: DocumentRecord[] = [];
  for (const doc of prepared) {
    records.push(await store.putDocument({ name: doc.name, mimeType: doc.mimeType, text: doc.text }, doc.chunks));
  }
  return records;
}
