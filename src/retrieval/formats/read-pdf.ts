/** @module PDF to text from its text layer (unpdf / pdf.js), one page after another separated by form feeds. */
import { extractText, getDocumentProxy } from 'unpdf';
import { FormatError, normalizeNewlines, type ExtractedText } from './extracted-text.js';

/**
 * The text layer of every page, pages joined by `\f` so chunks and quotes know their page. A PDF whose
 * pages carry no text at all (a scan, or a form with only widgets) is an error that says so: storing it
 * would make every field silently "not found".
 */
export async function readPdf(bytes: Uint8Array): Promise<ExtractedText> {
  let pages: string[];
  let totalPages: number;
  try {
    // pdf.js takes ownership of (detaches) the buffer it is given: hand it a copy.
    const pdf = await getDocumentProxy(new Uint8Array(bytes));
    ({ text: pages, totalPages } = await extractText(pdf, { mergePages: false }));
    await pdf.destroy();
  } catch (err) {
    throw new FormatError('unreadable', `not a readable PDF file (${(err as Error).message.split('\n')[0]})`);
  }
  const cleaned = pages.map((p) => normalizeNewlines(p).replace(/\f/g, '\n').replace(/[ \t]+\n/g, '\n').trim());
  if (cleaned.every((p) => p === '')) {
    throw new FormatError(
      'no_text_layer',
      `PDF has no text layer on any of its ${totalPages} page(s) (a scan or an image-only file); run OCR on it first`,
    );
  }
  return { text: cleaned.join('\f'), pages: totalPages };
}
