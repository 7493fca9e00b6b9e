/** @module Small helpers for storing documents in the contract tests. */
import type { NewChunk, Store } from '../../../../src/store/store.js';

/** Chunks a text at the given cut points, so tests control exactly which words share a chunk. */
export function chunksAt(text: string, cuts: number[]): NewChunk[] {
  const bounds = [0, ...cuts, text.length];
  return bounds.slice(1).map((end, seq) => {
    const start = bounds[seq] as number;
    return { seq, start, end, text: text.slice(start, end), tokens: Math.ceil((end - start) / 4) };
  });
}

export async function putText(s: Store, name: string, text: string, cuts: number[] = []) {
  return s.putDocument({ name, mimeType: 'text/plain', text }, chunksAt(text, cuts));
}
