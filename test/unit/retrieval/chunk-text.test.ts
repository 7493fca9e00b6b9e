/** @module Tests for chunkText: exact offsets, size bounds, boundary preferences, pages and overlap. */
import { describe, expect, it } from 'vitest';
import { estimateTokens } from '../../../src/core/tokens.js';
import { chunkText } from '../../../src/retrieval/chunk-text.js';
import type { NewChunk } from '../../../src/store/store.js';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The properties every chunking must have, whatever the text and options. */
function expectWellFormed(text: string, chunks: NewChunk[], maxTokens: number, overlap = false): void {
  chunks.forEach((chunk, i) => {
    expect(chunk.seq).toBe(i);
    expect(chunk.text).toBe(text.slice(chunk.start, chunk.end));
    expect(chunk.text.trim()).toBe(chunk.text);
    expect(chunk.text.length).toBeGreaterThan(0);
    expect(chunk.tokens).toBe(estimateTokens(chunk.text));
    expect(chunk.tokens).toBeLessThanOrEqual(maxTokens);
    expect(chunk.text).not.toContain('\f');
    expect(chunk.text).not.toMatch(LONE_SURROGATE);
    const expectedPage = text.includes('\f') ? 1 + (text.slice(0, chunk.start).match(/\f/g) ?? []).length : undefined;
    expect(chunk.page).toBe(expectedPage);
    const previous = chunks[i - 1];
    if (previous) {
      expect(chunk.end).toBeGreaterThan(previous.end);
      if (!overlap) expect(chunk.start).toBeGreaterThanOrEqual(previous.end);
    }
  });
  // Nothing is lost: every non-space character lies in some chunk.
  const covered = new Uint8Array(text.length);
  for (const chunk of chunks) covered.fill(1, chunk.start, chunk.end);
  const lost: number[] = [];
  for (let i = 0; i < text.length; i++) if (covered[i] === 0 && /\S/.test(text[i] as string)) lost.push(i);
  expect(lost, 'offsets of non-space characters in no chunk').toEqual([]);
}

/** A small deterministic generator, so the varied-text cases are the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function variedText(seed: number): string {
  const random = seededRandom(seed);
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const words = ['invoice', 'Total:', 'EUR', '1,234.56', 'naïve', 'café', 'Straße', '東京都', '😀', 'x'.repeat(60)];
  words.push('e\u0301t\u00e9', '—', 'https://example.com/a/very/long/path?with=query&and=more');
  const endings = ['. ', '! ', '? ', '.\n', '\n\n', '\n  \n', ' \f ', '\f', '。', ' '];
  let text = random() < 0.3 ? '  \n' : '';
  const length = 50 + Math.floor(random() * 400);
  for (let i = 0; i < length; i++) text += pick(words) + (random() < 0.2 ? pick(endings) : ' ');
  return text;
}

describe('chunkText', () => {
  it.each([
    ['empty', ''],
    ['spaces and newlines', '  \n\n \t '],
    ['form feeds and blanks', '\f \n\f\f  '],
  ])('returns no chunks for %s', (_name, text) => {
    expect(chunkText(text)).toEqual([]);
  });

  it('keeps a short text as one trimmed chunk without a page', () => {
    const text = '\n  Name: Ada Lovelace.\n\nBorn: 1815.  \n';
    const chunks = chunkText(text);
    const expected = 'Name: Ada Lovelace.\n\nBorn: 1815.';
    expect(chunks).toEqual([{ seq: 0, start: 3, end: 35, text: expected, tokens: estimateTokens(expected) }]);
    expect('page' in (chunks[0] as object)).toBe(false);
  });

  it('cuts between paragraphs when two do not fit together', () => {
    const a = 'First paragraph, with enough words to fill most of a chunk on its own.';
    const b = 'Second paragraph, also long enough that the pair would not fit at all.';
    const text = `${a}\n\n${b}`;
    const chunks = chunkText(text, { maxTokens: estimateTokens(a) + 2 });
    expect(chunks.map((c) => c.text)).toEqual([a, b]);
  });

  it('packs small paragraphs together', () => {
    const text = 'One.\n\nTwo.\n\nThree.';
    expect(chunkText(text, { maxTokens: 50 }).map((c) => c.text)).toEqual([text]);
  });

  it('cuts an overlong paragraph at sentence ends', () => {
    const sentences = ['The tenant pays rent monthly.', 'The deposit is two months.', 'Notice is ninety days.'];
    const text = sentences.join(' ');
    const chunks = chunkText(text, { maxTokens: estimateTokens(sentences[0] ?? '') + 1 });
    expect(chunks.map((c) => c.text)).toEqual(sentences);
  });

  it('cuts at CJK full stops even without spaces', () => {
    const text = '東京都の住所です。電話番号は零三です。請求書の番号は四二です。';
    const chunks = chunkText(text, { maxTokens: 4 });
    expectWellFormed(text, chunks, 4);
    const sentences = ['東京都の住所です。', '電話番号は零三です。', '請求書の番号は四二です。'];
    expect(chunks.map((c) => c.text)).toEqual(sentences);
  });

  it('cuts an overlong sentence at words, and an overlong word where it must', () => {
    const word = 'A'.repeat(200);
    const text = `Start ${word} end of the line here.`;
    const chunks = chunkText(text, { maxTokens: 10 });
    expectWellFormed(text, chunks, 10);
    expect(chunks[0]?.text).toBe('Start');
    // The word is cut into adjacent pieces; its tail may share a chunk with the words after it.
    const inWord = chunks.filter((c) => c.start >= 6 && c.start < 6 + word.length);
    expect(inWord.length).toBeGreaterThanOrEqual(Math.ceil(word.length / 36));
    inWord.slice(1).forEach((c, i) => expect(c.start).toBe(inWord[i]?.end));
    expect(inWord.at(-1)?.text).toMatch(/^A+ end/);
  });

  it('never splits a surrogate pair inside a long run of emoji', () => {
    const text = '😀'.repeat(101);
    for (const maxTokens of [1, 2, 3, 7]) expectWellFormed(text, chunkText(text, { maxTokens }), maxTokens);
  });

  it('numbers pages by form feeds and never crosses one', () => {
    const text = 'Cover page.\fSecond page text.\f\fFourth page, after an empty one.';
    const chunks = chunkText(text);
    expect(chunks.map((c) => [c.page, c.text])).toEqual([
      [1, 'Cover page.'],
      [2, 'Second page text.'],
      [4, 'Fourth page, after an empty one.'],
    ]);
    expectWellFormed(text, chunks, 300);
  });

  it('gives the same chunks for text normalised from CRLF as for LF text', () => {
    const lf = 'Line one.\nLine two.\n\nNew paragraph here.\n';
    const normalised = lf.replace(/\n/g, '\r\n').replace(/\r\n?/g, '\n');
    expect(chunkText(normalised, { maxTokens: 5 })).toEqual(chunkText(lf, { maxTokens: 5 }));
    expectWellFormed(lf, chunkText(lf, { maxTokens: 5 }), 5);
  });

  it('keeps accented and combining characters intact', () => {
    const text = 'Ünïcödé façade. Cre\u0300me bru\u0302le\u0301e. Zoë’s résumé, 1.234,56 €.';
    for (const maxTokens of [3, 6, 300]) expectWellFormed(text, chunkText(text, { maxTokens }), maxTokens);
  });

  it('repeats whole trailing pieces as overlap, and every chunk still adds text', () => {
    const text = Array.from({ length: 12 }, (_, i) => `Sentence number ${i} ends here.`).join(' ');
    const plain = chunkText(text, { maxTokens: 20 });
    const overlapping = chunkText(text, { maxTokens: 20, overlapTokens: 9 });
    expectWellFormed(text, overlapping, 20, true);
    expect(overlapping.length).toBeGreaterThan(plain.length);
    for (let i = 1; i < overlapping.length; i++) {
      const prev = overlapping[i - 1] as NewChunk;
      const chunk = overlapping[i] as NewChunk;
      expect(chunk.start).toBeLessThan(prev.end);
      expect(estimateTokens(text.slice(chunk.start, prev.end))).toBeLessThanOrEqual(9);
      expect(chunk.text.startsWith('Sentence number')).toBe(true);
    }
  });

  it.each(Array.from({ length: 25 }, (_, i) => [i + 1]))('keeps every invariant on varied text (seed %i)', (seed) => {
    const text = variedText(seed);
    for (const maxTokens of [5, 40, 300]) {
      expectWellFormed(text, chunkText(text, { maxTokens }), maxTokens);
      expectWellFormed(text, chunkText(text, { maxTokens, overlapTokens: Math.floor(maxTokens / 3) }), maxTokens, true);
    }
  });

  it.each([
    ['zero maxTokens', { maxTokens: 0 }],
    ['fractional maxTokens', { maxTokens: 2.5 }],
    ['negative overlap', { overlapTokens: -1 }],
    ['overlap as large as the chunk', { maxTokens: 10, overlapTokens: 10 }],
  ])('rejects %s', (_name, opts) => {
    expect(() => chunkText('text', opts)).toThrow(RangeError);
  });
});
