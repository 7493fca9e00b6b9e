/** @module renderOutput: writes the filled document (the template's file with the fill's values) to the
 * store, and records its ref on the stored result. Reads the values from the store, not from history. */
import { ApplicationFailure } from '@temporalio/activity';
import { FailureType } from '../core/failure-types.js';
import type { RenderOutputInput, RenderOutputResult } from '../core/fill-records.js';
import type { FieldValue } from '../core/types.js';
import { renderOutput as render } from '../templates/render-output.js';
import type { FillActivityDeps } from './deps.js';
import { loadTemplate } from './load-fields.js';

export function makeRenderOutput({ store }: FillActivityDeps) {
  return async function renderOutput(input: RenderOutputInput): Promise<RenderOutputResult> {
    const fill = await store.getFill(input.fillId);
    if (!fill?.result) {
      throw ApplicationFailure.create({ type: FailureType.InvalidInput, nonRetryable: true, message: `fill "${input.fillId}" has no stored result to render` });
    }
    const template = await loadTemplate(store, input.templateId);
    const source = await store.getTemplateSource(input.templateId);
    const values: Record<string, FieldValue> = Object.fromEntries(fill.result.fields.map((f) => [f.key, f.value]));
    let out;
    try {
      out = await render(template, source, values);
    } catch (err) {
      // The same file and values fail the same way on every attempt.
      throw ApplicationFailure.create({ type: FailureType.InvalidInput, nonRetryable: true, message: `rendering ${source?.fileName ?? template.id}: ${(err as Error).message}` });
    }
    const outputRef = await store.putOutput({ fillId: input.fillId, templateId: input.templateId, fileName: out.fileName, mediaType: out.mediaType, bytes: out.bytes });
    await store.setFillOutputRef(input.fillId, outputRef);
    return { outputRef, notices: out.notices };
  };
}
