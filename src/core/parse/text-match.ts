/** @module The shape every finder in `core/parse` returns, and the helpers the finders share. */

/** One value found in a text: `text.slice(start, end)` is the source it was read from. */
export interface TextMatch<T> {
  start: number;
  end: number;
  value: T;
}

/**
 * Keeps the leftmost, then longest, of any overlapping matches. Finders run several patterns over the
 * same text ("USD 1,200" is also a bare "1,200"), and the widest reading is the one a person would quote.
 */
export function dropOverlaps<T>(matches: readonly TextMatch<T>[]): TextMatch<T>[] {
  const sorted = [...matches].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: TextMatch<T>[] = [];
  let reach = -1;
  for (const m of sorted) {
    if (m.start < reach) continue;
    kept.push(m);
    reach = m.end;
  }
  return kept;
}

/**
 * Strips what commonly wraps a value without being part of it: whitespace, quotation marks and a
 * closing sentence mark ("March 3, 2010." in a model's answer).
 */
export function trimEdges(s: string): string {
  return s
    .trim()
    .replace(/^["'“”‘’`]+/, '')
    .replace(/["'“”‘’`]+$/, '')
    .replace(/[.,;:]+$/, '')
    .trim();
}

/**
 * Reads a whole string with a finder: the string must be exactly one match, nothing before or after.
 * This keeps `parseX` and `findX` agreeing on what a value looks like.
 */
export function parseWhole<T>(s: string, find: (text: string) => TextMatch<T>[]): T | null {
  const t = trimEdges(s);
  if (t === '') return null;
  const found = find(t);
  if (found.length !== 1) return null;
  const only = found[0]!;
  return only.start === 0 && only.end === t.length ? only.value : null;
}

/** Every match of a global regular expression, with its capture groups' indices (the `d` flag). */
export function execAll(re: RegExp, text: string): RegExpExecArray[] {
  if (!re.global || !re.hasIndices) throw new Error(`finder regex ${re} needs the g and d flags`);
  re.lastIndex = 0;
  const all: RegExpExecArray[] = [];
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    all.push(m);
    if (m[0] === '') re.lastIndex++;
  }
  return all;
}
