/** @module HTML to text: visible text only, block elements as paragraphs, entities decoded; scripts and styles dropped. */
import { Parser } from 'htmlparser2';
import { FormatError, type ExtractedText } from './extracted-text.js';

/** Elements whose content is never shown as text. */
const HIDDEN = new Set(['script', 'style', 'head', 'template', 'noscript', 'svg', 'math', 'iframe', 'object']);
/** Elements that start a new paragraph; table cells and list items become their own lines. */
const BLOCK = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'dd', 'details', 'dialog', 'div', 'dl', 'dt', 'fieldset',
  'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'html', 'legend',
  'main', 'nav', 'ol', 'p', 'pre', 'section', 'summary', 'table', 'tbody', 'thead', 'tfoot', 'ul',
]);
const LINE = new Set(['br', 'li', 'tr', 'option']);
const CELL = new Set(['td', 'th']);

/**
 * The visible text of an HTML page. Runs of whitespace inside text collapse to one space (as a browser
 * shows them, `<pre>` excepted), block elements are separated by a blank line so the chunker sees
 * paragraphs, and table cells on one row are joined by ` | `.
 */
export function readHtml(bytes: Uint8Array): ExtractedText {
  let source: string;
  try {
    source = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new FormatError('not_utf8', 'not valid UTF-8 HTML (other encodings are not read)');
  }
  let out = '';
  let hidden = 0;
  let pre = 0;
  let cellsInRow = 0;
  const breakWith = (sep: string) => {
    out = out.replace(/[ \t]+$/, '');
    if (out === '') return;
    const trailing = /\n*$/.exec(out)?.[0].length ?? 0;
    if (trailing < sep.length) out += sep.slice(trailing);
  };
  const parser = new Parser(
    {
      onopentag(name) {
        if (HIDDEN.has(name)) hidden++;
        if (hidden > 0) return;
        if (name === 'pre') pre++;
        if (BLOCK.has(name)) breakWith('\n\n');
        else if (LINE.has(name)) breakWith('\n');
        if (name === 'tr') cellsInRow = 0;
        if (CELL.has(name)) {
          if (cellsInRow > 0) out = out.replace(/\s+$/, '') + ' | ';
          cellsInRow++;
        }
      },
      ontext(data) {
        if (hidden > 0) return;
        if (pre > 0) {
          out += data.replace(/\r\n?/g, '\n');
          return;
        }
        const text = data.replace(/\s+/g, ' ');
        // No space at the start of a line, and never two in a row.
        out += /(^|[\s])$/.test(out) ? text.replace(/^ /, '') : text;
      },
      onclosetag(name) {
        if (HIDDEN.has(name)) {
          hidden = Math.max(0, hidden - 1);
          return;
        }
        if (hidden > 0) return;
        if (name === 'pre') pre = Math.max(0, pre - 1);
        if (BLOCK.has(name)) breakWith('\n\n');
        else if (name === 'li' || name === 'tr') breakWith('\n');
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(source);
  parser.end();
  const text = out.replace(/\u00a0/g, ' ').replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
  return { text };
}
