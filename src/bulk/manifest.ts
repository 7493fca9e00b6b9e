/** @module The bulk manifest (JSONL): one row a line, `{ "row", "template" | "templateId", "docs" | "documentIds" }`,
 * paths relative to the manifest's folder. Every line is checked, and every file it names must exist, before
 * anything is stored or started; each problem is reported with its line number. */
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';

/** A row ID: letters, digits, `.`, `_`, `-` (no `/`: the row's fill ID is `<bulk ID>/<row>`). */
export const ROW_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** One line of a manifest, checked; paths absolute. Exactly one of `template`/`templateId` and of `docs`/`documentIds` is set. */
export interface ManifestRow {
  /** 1-based line number in the manifest. */
  line: number;
  row: string;
  template?: string;
  templateId?: string;
  docs?: string[];
  documentIds?: string[];
}

/** What is wrong with a manifest, each problem with its line. */
export class ManifestError extends Error {
  constructor(
    readonly file: string,
    readonly problems: { line: number; message: string }[],
  ) {
    const shown = problems.slice(0, 20).map((p) => `${file}:${p.line}: ${p.message}`);
    if (problems.length > shown.length) shown.push(`… and ${problems.length - shown.length} more`);
    super(shown.join('\n'));
    this.name = 'ManifestError';
  }
}

const KEYS = new Set(['row', 'template', 'templateId', 'docs', 'documentIds']);

/**
 * Reads and checks a manifest file. Blank lines are skipped (and still counted).
 * @throws ManifestError naming every bad line, missing file and duplicate row ID (with the line that used it first)
 */
export async function readManifest(path: string): Promise<ManifestRow[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ManifestError(path, [{ line: 0, message: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such manifest file' : (err as Error).message }]);
  }
  const base = dirname(resolve(path));
  const problems: { line: number; message: string }[] = [];
  const rows: ManifestRow[] = [];
  const seen = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = i + 1;
    if (raw.trim() === '') continue;
    const parsed = parseLine(raw, base);
    if ('problem' in parsed) {
      problems.push({ line, message: parsed.problem });
      continue;
    }
    const first = seen.get(parsed.row);
    if (first !== undefined) {
      problems.push({ line, message: `duplicate row ID "${parsed.row}" (first on line ${first})` });
      continue;
    }
    seen.set(parsed.row, line);
    rows.push({ line, ...parsed });
  }
  if (rows.length === 0 && problems.length === 0) problems.push({ line: 1, message: 'the manifest has no rows' });
  // Files last, and only for lines that are otherwise right: a missing file is named with the line that names it.
  for (const r of rows) {
    for (const file of [...(r.template ? [r.template] : []), ...(r.docs ?? [])]) {
      const missing = await stat(file).then(
        () => undefined,
        (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? 'no such file or folder' : err.message),
      );
      if (missing) problems.push({ line: r.line, message: `${file}: ${missing}` });
    }
  }
  if (problems.length > 0) throw new ManifestError(path, problems.sort((a, b) => a.line - b.line));
  return rows;
}

type Parsed = Omit<ManifestRow, 'line'> | { problem: string };

/** One line: a JSON object with the known keys, each of the right shape. */
export function parseLine(raw: string, base: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    return { problem: `not JSON: ${(err as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: 'each line must be a JSON object { "row", "template" | "templateId", "docs" | "documentIds" }' };
  const o = value as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !KEYS.has(k));
  if (unknown.length > 0) return { problem: `unknown key ${unknown.map((k) => `"${k}"`).join(', ')} (known: row, template, templateId, docs, documentIds)` };
  if (typeof o.row !== 'string' || !ROW_ID_PATTERN.test(o.row)) {
    return { problem: `"row" must be a string of 1 to 128 letters, digits, ".", "_" or "-", got ${JSON.stringify(o.row) ?? 'nothing'}` };
  }
  if ((o.template === undefined) === (o.templateId === undefined)) return { problem: 'give exactly one of "template" (a file) or "templateId"' };
  if ((o.docs === undefined) === (o.documentIds === undefined)) return { problem: 'give exactly one of "docs" (files or folders) or "documentIds"' };
  const out: Omit<ManifestRow, 'line'> = { row: o.row };
  if (o.template !== undefined) {
    if (typeof o.template !== 'string' || o.template.trim() === '') return { problem: '"template" must be a file path' };
    out.template = at(base, o.template);
  } else {
    if (typeof o.templateId !== 'string' || o.templateId === '') return { problem: '"templateId" must be a non-empty string' };
    out.templateId = o.templateId;
  }
  const list = (o.docs ?? o.documentIds) as unknown;
  const name = o.docs !== undefined ? 'docs' : 'documentIds';
  if (!Array.isArray(list) || list.length === 0 || list.some((d) => typeof d !== 'string' || d.trim() === '')) {
    return { problem: `"${name}" must be a non-empty array of ${name === 'docs' ? 'paths' : 'document IDs'}` };
  }
  if (name === 'docs') out.docs = (list as string[]).map((d) => at(base, d));
  else out.documentIds = list as string[];
  return out;
}

function at(base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}
