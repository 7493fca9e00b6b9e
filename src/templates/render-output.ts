/** @module Renders a fill's values into its template's document: the source file filled, or for a JSON
 * template (which has no document) a Markdown page of labels and values. */
import type { FieldValue, TemplateSpec } from '../core/types.js';
import { renderDocx } from './docx-template.js';
import { formatValue } from './format-value.js';
import { renderMarkdown } from './markdown-template.js';
import { renderPdfForm } from './pdf-form-template.js';
import { MEDIA_TYPES, type TemplateSourceFile } from './template-source.js';

export interface RenderedOutput {
  fileName: string;
  mediaType: string;
  bytes: Buffer;
  notices: string[];
}

export async function renderOutput(
  template: TemplateSpec,
  source: TemplateSourceFile | undefined,
  values: Record<string, FieldValue>,
): Promise<RenderedOutput> {
  if (!source) {
    const lines = [`# ${template.name}`, '', ...template.fields.map((f) => `- **${f.label}**: ${formatValue(values[f.key])}`), ''];
    return { fileName: `${template.id}.filled.md`, mediaType: MEDIA_TYPES.markdown, bytes: Buffer.from(lines.join('\n'), 'utf8'), notices: [] };
  }
  const fileName = filledName(source.fileName);
  switch (source.format) {
    case 'markdown':
      return { fileName, mediaType: source.mediaType, bytes: renderMarkdown(source.bytes, values), notices: [] };
    case 'docx':
      return { fileName, mediaType: source.mediaType, bytes: renderDocx(source.bytes, values, source.fileName), notices: [] };
    case 'pdf': {
      const out = await renderPdfForm(source.bytes, source.fieldNames ?? {}, values);
      return { fileName, mediaType: source.mediaType, bytes: out.bytes, notices: out.notices };
    }
  }
}

/** `form.pdf` → `form.filled.pdf`. */
function filledName(fileName: string): string {
  const m = /^(.*?)(\.[^.]*)?$/.exec(fileName)!;
  return `${m[1] || 'output'}.filled${m[2] ?? ''}`;
}
