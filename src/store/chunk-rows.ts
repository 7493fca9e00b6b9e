/** @module The chunk rows both stores read (their queries name the columns alike), how they become the store's
 * records, and the check every store makes before it keeps a document's chunks. */
import type { ChunkRef } from '../core/chunk-ref.js';
import type { Chunk, NewChunk } from './store.js';

/** A chunk with its text, as `getChunks` and `listChunks` read it. */
export interface ChunkRow {
  id: string;
  document_id: string;
  seq: number;
  start: number;
  end: number;
  page: number | null;
  text: string;
  tokens: number;
}

/** What a search hit or a document's chunk list needs of a chunk: no text. */
export interface ChunkRefRow {
  id: string;
  document_id: string;
  seq: number;
  tokens: number;
}

export function toChunk(row: ChunkRow): Chunk {
  const chunk: Chunk = {
    id: row.id,
    documentId: row.document_id,
    seq: row.seq,
    start: row.start,
    end: row.end,
    text: row.text,
    tokens: row.tokens,
  };
  if (row.page !== null) chunk.page = row.page;
  return chunk;
}

export function toRef(row: ChunkRefRow, score: number): ChunkRef {
  return { chunkId: row.id, documentId: row.document_id, seq: row.seq, score, tokens: row.tokens };
}

/** Catches a chunker bug here, where it names the chunk, rather than later as a quote that cannot be found. */
export function checkChunks(name: string, text: string, chunks: readonly NewChunk[]): void {
  for (const chunk of chunks) {
    const where = `document "${name}", chunk ${chunk.seq}`;
    if (!Number.isInteger(chunk.seq) || chunk.seq < 0) throw new Error(`${where}: seq must be a non-negative integer`);
    if (!Number.isInteger(chunk.start) || !Number.isInteger(chunk.end) || chunk.start < 0 || chunk.end <= chunk.start) {
      throw new Error(`${where}: offsets [${chunk.start}, ${chunk.end}) are not a non-empty range`);
    }
    if (chunk.end > text.length) {
      throw new Error(`${where}: ends at ${chunk.end}, past the text's ${text.length} characters`);
    }
    if (text.slice(chunk.start, chunk.end) !== chunk.text) {
      throw new Error(`${where}: text differs from the document text at [${chunk.start}, ${chunk.end})`);
    }
  }
}
