/** @module Plain text and Markdown: strict UTF-8, kept as written (Markdown syntax is part of the text quotes come from). */
import { FormatError, normalizeNewlines, type ExtractedText } from './extracted-text.js';

/** Invalid UTF-8 is an error rather than replacement characters, since quotes must later be found verbatim. */
export function readPlain(bytes: Uint8Array): ExtractedText {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new FormatError('not_utf8', 'not valid UTF-8 text');
  }
  return { text: normalizeNewlines(text) };
}
