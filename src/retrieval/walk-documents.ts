/** @module Finds the document files that paths name, lazily: one folder's entry names at a time, never a file's content. */
import type { Stats } from 'node:fs';
import { opendir, realpath, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { FORMATS } from './formats/index.js';
import { IngestError } from './ingest-error.js';

/** A file to ingest, with its size as stat saw it (so size limits apply before anything is read). */
export interface FoundDocument {
  path: string;
  size: number;
}

const SUPPORTED_LIST = Object.keys(FORMATS).join(', ');

export function isSupported(path: string): boolean {
  return Object.hasOwn(FORMATS, extname(path).toLowerCase());
}

export function unsupported(path: string): IngestError {
  const ext = extname(path) || '(no extension)';
  return new IngestError('unsupported_type', path, `${path}: unsupported file type ${ext}; supported extensions are ${SUPPORTED_LIST}`);
}

export async function statOrThrow(path: string): Promise<Stats> {
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
 * Every file the paths name, in argument order with folders expanded depth first in code-unit order of names
 * (the same order on every machine and locale), each file once. Inside a folder, dot-entries (.git,
 * .DS_Store), other file types and dangling symlinks are skipped; a path named explicitly must be a supported
 * file or a folder holding one.
 *
 * @throws IngestError naming the first path that is missing, of another type, or a folder with no documents;
 *   the files yielded before it have been yielded.
 */
export async function* walkDocuments(paths: readonly string[]): AsyncGenerator<FoundDocument> {
  const yielded = new Set<string>();
  for (const path of paths) {
    const info = await statOrThrow(path);
    if (info.isDirectory()) {
      let found = 0;
      for await (const doc of walkFolder(path, new Set())) {
        found++;
        if (once(yielded, doc.path)) yield doc;
      }
      if (found === 0) throw new IngestError('no_documents', path, `${path}: the folder holds no ${SUPPORTED_LIST} files`);
    } else if (info.isFile()) {
      if (!isSupported(path)) throw unsupported(path);
      if (once(yielded, path)) yield { path, size: info.size };
    } else {
      throw new IngestError('not_a_file', path, `${path}: neither a file nor a folder`);
    }
  }
}

function once(seen: Set<string>, path: string): boolean {
  const key = resolve(path);
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}

async function* walkFolder(dir: string, visited: Set<string>): AsyncGenerator<FoundDocument> {
  // A symlink back up the tree would otherwise recurse forever.
  const real = await realpath(dir);
  if (visited.has(real)) return;
  visited.add(real);

  // One folder's names are held to sort them; the files themselves are stat'ed one by one as they are reached.
  const names: string[] = [];
  for await (const entry of await opendir(dir)) if (!entry.name.startsWith('.')) names.push(entry.name);
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined); // a dangling symlink inside a folder is not the user's file
    if (info?.isDirectory()) yield* walkFolder(path, visited);
    else if (info?.isFile() && isSupported(path)) yield { path, size: info.size };
  }
}
