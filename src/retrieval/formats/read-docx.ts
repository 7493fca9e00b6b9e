/** @module DOCX to text with mammoth: paragraphs as written, separated by blank lines. DOCX has no fixed pages. */
import mammoth from 'mammoth';
import { FormatError, normalizeNewlines, type ExtractedText } from './extracted-text.js';

export async function readDocx(bytes: Uint8Array): Promise<ExtractedText> {
  let value: string;
  try {
    ({ value } = await mammoth.extractRawText({ buffer: Buffer.from(bytes) }));
  } catch (err) {
    throw new FormatError('unreadable', `not a readable DOCX file (${(err as Error).message.split('\n')[0]})`);
  }
  // mammoth ends every paragraph with "\n\n"; runs of blank lines from empty paragraphs carry no meaning.
  const text = normalizeNewlines(value).replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
  return { text };
}
