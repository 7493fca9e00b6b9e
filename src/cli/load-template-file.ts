/** @module Reads a template file for the CLI (JSON spec, Markdown, DOCX, fillable PDF), naming the file
 * and the path of the problem in every error. */
import { readFile } from 'node:fs/promises';
import { TemplateError } from '../core/validate-template.js';
import { parseTemplateFile } from '../templates/parse-template.js';
import { TemplateFileError } from '../templates/template-file-error.js';
import type { ParsedTemplate } from '../templates/template-source.js';
import { CliError } from './cli-error.js';

/** @param specPath an optional JSON spec giving a document template's field types and labels */
export async function loadTemplateFile(path: string, specPath?: string): Promise<ParsedTemplate> {
  const bytes = await readOrThrow(path, 'template');
  let spec: Record<string, unknown> | undefined;
  if (specPath !== undefined) {
    try {
      spec = JSON.parse((await readOrThrow(specPath, 'spec')).toString('utf8')) as Record<string, unknown>;
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError(`spec ${specPath} is not valid JSON: ${(err as Error).message}`);
    }
  }
  try {
    return await parseTemplateFile({ fileName: path, bytes, ...(spec ? { spec } : {}) }).then((p) =>
      // The stored source keeps the bare file name, not the caller's path.
      p.source ? { ...p, source: { ...p.source, fileName: path.replace(/^.*[\\/]/, '') } } : p,
    );
  } catch (err) {
    if (err instanceof TemplateError) throw new CliError(`${specPath && spec ? specPath : path}: ${err.message}`);
    if (err instanceof TemplateFileError) throw new CliError(err.message.startsWith(path) ? err.message : `${path}: ${err.message}`);
    throw err;
  }
}

async function readOrThrow(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `${what} file not found: ${path}` : `cannot read ${what} ${path}: ${(err as Error).message}`);
  }
}
