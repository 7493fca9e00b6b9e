/** @module Reads a template file for the CLI, naming the file in every error. */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { TemplateError, validateTemplate } from '../core/validate-template.js';
import type { TemplateSpec } from '../core/types.js';
import { CliError } from './cli-error.js';

export async function loadTemplateFile(path: string): Promise<TemplateSpec> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `template file not found: ${path}` : `cannot read template ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CliError(`template ${path} is not valid JSON: ${(err as Error).message}`);
  }
  // A template without an id takes its file name, so a quick template needs nothing but fields.
  if (typeof json === 'object' && json !== null && !Array.isArray(json) && !('id' in json)) {
    (json as Record<string, unknown>).id = basename(path, extname(path)).replace(/[^A-Za-z0-9._-]/g, '-');
  }
  try {
    return validateTemplate(json);
  } catch (err) {
    if (err instanceof TemplateError) throw new CliError(`${path}: ${err.message}`);
    throw err;
  }
}
