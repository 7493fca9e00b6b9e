/** @module The passage grounding searches, made from a span of a document: what extraction (and the benchmark
 * that measures it) hands to quote grounding for each passage shown to the model. Pure. */
import type { GroundingPassage } from './ground-quote.js';
import type { SourceSpan } from './merge-passages.js';

/**
 * A span as grounding reads it. Only `start` is kept of its offsets: a quote is located inside the text, and
 * its own end follows from where it is found.
 */
export function toPassage(span: SourceSpan): GroundingPassage {
  return {
    documentId: span.documentId,
    start: span.start,
    text: span.text,
    ...(span.page !== undefined ? { page: span.page } : {}),
  };
}
