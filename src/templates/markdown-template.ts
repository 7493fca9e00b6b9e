/** @module Markdown templates: `{{field_key}}` placeholders in the text and an optional YAML front matter
 * (`id`, `name`, `fields: [...]` in the JSON spec's shape). Rendering replaces each placeholder. */
import { parse as parseYaml } from 'yaml';
import type { FieldValue } from '../core/types.js';
import { formatValue } from './format-value.js';
import { reconcileFields, type DocumentField, type SpecInput } from './reconcile-fields.js';
import { TemplateFileError } from './template-file-error.js';
import { MEDIA_TYPES, type ParsedTemplate } from './template-source.js';

const ANY_TAG = /\{\{([\s\S]*?)\}\}/g;
const KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const FRONT_MATTER = /^---[ \t]*\n([\s\S]*?)\n---[ \t]*(?:\n|$)/;

/** Splits `---\nyaml\n---\nbody`; without front matter the whole text is the body. */
function splitFrontMatter(text: string): { yaml?: string; body: string; bodyLine: number } {
  const m = FRONT_MATTER.exec(text);
  if (!m) return { body: text, bodyLine: 1 };
  return { yaml: m[1]!, body: text.slice(m[0].length), bodyLine: m[0].split('\n').length - (m[0].endsWith('\n') ? 1 : 0) + 1 };
}

/** Every `{{key}}` in the body, in first-seen order; a malformed placeholder is an error naming its line. */
function markdownPlaceholders(body: string, firstLine = 1): DocumentField[] {
  const seen = new Map<string, DocumentField>();
  for (const m of body.matchAll(ANY_TAG)) {
    const line = firstLine + (body.slice(0, m.index).match(/\n/g)?.length ?? 0);
    const key = m[1]!.trim();
    if (!KEY.test(key)) {
      throw new TemplateFileError(
        'bad_placeholder',
        `line ${line}: placeholder {{${m[1]!.slice(0, 80)}}} is not a field key (1-64 letters, digits, "_", "." or "-", starting with a letter or "_")`,
        `line ${line}`,
      );
    }
    if (!seen.has(key)) seen.set(key, { key, where: `line ${line}` });
  }
  const unclosed = body.replace(ANY_TAG, '').indexOf('{{');
  if (unclosed >= 0) {
    // Count the line on the original body: find the first "{{" with no closing "}}" after it.
    const at = body.lastIndexOf('{{');
    const line = firstLine + (body.slice(0, at).match(/\n/g)?.length ?? 0);
    throw new TemplateFileError('bad_placeholder', `line ${line}: "{{" is never closed with "}}"`, `line ${line}`);
  }
  return [...seen.values()];
}

export function parseMarkdownTemplate(
  bytes: Buffer,
  opts: { fileName: string; spec?: SpecInput; id: string; name?: string },
): ParsedTemplate {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  } catch {
    throw new TemplateFileError('not_utf8', `${opts.fileName} is not UTF-8 text`);
  }
  const { yaml, body, bodyLine } = splitFrontMatter(text);
  let front: SpecInput | undefined;
  if (yaml !== undefined) {
    let parsed: unknown;
    try {
      // A small alias budget: a YAML "billion laughs" is refused rather than expanded.
      parsed = parseYaml(yaml, { maxAliasCount: 50, prettyErrors: true });
    } catch (err) {
      throw new TemplateFileError('bad_front_matter', `front matter is not valid YAML: ${(err as Error).message.split('\n')[0]}`, 'front matter');
    }
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new TemplateFileError('bad_front_matter', 'front matter must be a mapping (id, name, fields)', 'front matter');
      }
      front = parsed as SpecInput;
    }
  }
  const placeholders = markdownPlaceholders(body, bodyLine);
  if (placeholders.length === 0 && !Array.isArray(front?.fields) && !Array.isArray(opts.spec?.fields)) {
    throw new TemplateFileError('no_fields', `${opts.fileName} has no {{field_key}} placeholders and no fields in its front matter`);
  }
  const spec = opts.spec ?? front;
  const { spec: merged, warnings } = reconcileFields(placeholders, spec, { id: opts.id, ...(opts.name ? { name: opts.name } : {}) });
  return {
    format: 'markdown',
    spec: merged,
    source: { format: 'markdown', fileName: opts.fileName, mediaType: MEDIA_TYPES.markdown, bytes },
    warnings,
  };
}

/** The body with every placeholder replaced by its value; the front matter is not part of the output. */
export function renderMarkdown(source: Buffer, values: Record<string, FieldValue>): Buffer {
  const text = source.toString('utf8').replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const { body } = splitFrontMatter(text);
  return Buffer.from(body.replace(ANY_TAG, (_, key: string) => formatValue(values[key.trim()])), 'utf8');
}
