/** @module Joins a call's passages that touch in their document into one, so the model reads a clause cut by
 * a chunk boundary (or repeated by chunk overlap) as the one stretch of text it is. Pure. */

/** A stretch of a document's text: where it lies, and its text (`documentText.slice(start, end)`). */
export interface SourceSpan {
  documentId: string;
  start: number;
  end: number;
  text: string;
  /** Page at `start`, when the document has pages. */
  page?: number;
}

/**
 * Merges consecutive spans of the same document that overlap, or that only whitespace separates, keeping the
 * order of everything else. Overlap is taken once. The whitespace between two spans is the document's own
 * (read through `documentText`), so every merged span still satisfies `text === documentText.slice(start, end)`
 * and quotes ground to exact offsets; without the document's text, only overlapping spans are merged.
 * Each merged span keeps its first page: grounding counts the form feeds inside it.
 *
 * @example
 * mergePassages([{ documentId: 'd', start: 0, end: 5, text: 'Hello' }, { documentId: 'd', start: 6, end: 11, text: 'world' }],
 *   () => 'Hello world')
 * // [{ documentId: 'd', start: 0, end: 11, text: 'Hello world' }]
 */
export function mergePassages<T extends SourceSpan>(
  spans: readonly T[],
  documentText: (documentId: string) => string | undefined = () => undefined,
): SourceSpan[] {
  const merged: SourceSpan[] = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && last.documentId === span.documentId && span.start >= last.start) {
      if (span.end <= last.end) continue;
      if (span.start <= last.end) {
        last.text += span.text.slice(last.end - span.start);
        last.end = span.end;
        continue;
      }
      const gap = documentText(span.documentId)?.slice(last.end, span.start);
      if (gap !== undefined && gap.length === span.start - last.end && /^\s*$/.test(gap)) {
        last.text += gap + span.text;
        last.end = span.end;
        continue;
      }
    }
    const copy: SourceSpan = { documentId: span.documentId, start: span.start, end: span.end, text: span.text };
    if (span.page !== undefined) copy.page = span.page;
    merged.push(copy);
  }
  return merged;
}
