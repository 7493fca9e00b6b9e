/** @module What every format reader returns, and the one error a reader raises for a file it cannot use. */

/** A document's text as every offset will refer to it. Pages, where the format has them, are separated by `\f`. */
export interface ExtractedText {
  text: string;
  /** Pages in the source (PDF); absent for formats without fixed pages. */
  pages?: number;
}

/** Why a file's bytes gave no usable text; the ingest layer turns it into an IngestError naming the path. */
export type FormatProblem = 'not_utf8' | 'no_text_layer' | 'unreadable';

export class FormatError extends Error {
  override readonly name = 'FormatError';
  constructor(
    readonly problem: FormatProblem,
    message: string,
  ) {
    super(message);
  }
}

/** Line ends as `\n`, no byte-order mark, no NULs: the shape every reader hands on. */
export function normalizeNewlines(text: string): string {
  let t = text.startsWith('\uFEFF') ? text.slice(1) : text;
  t = t.replace(/\r\n?/g, '\n');
  // A NUL would end the text early in some consumers and is never content.
  return t.includes('\0') ? t.replace(/\0/g, '') : t;
}
