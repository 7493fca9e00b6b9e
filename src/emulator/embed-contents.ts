/** @module One batchEmbedContents request: items, latency, error faults, vectors (hashed or supplied), maybe
 * reshaped by a wrong-dimensions fault. Embeddings take no quota here: Fillflow's ledger paces them itself. */
import type { EmulatorState } from './emulator-state.js';
import { errorFaultReply } from './generate-content.js';
import type { Reply } from './google-errors.js';
import { DEFAULT_DIMENSIONS, hashedEmbedding } from './hashed-embedding.js';
import { readEmbedRequest, type EmbedItem } from './read-request.js';
import { tokensForChars } from './token-estimate.js';
import type { EmbedFunction, RecordedRequest } from './types.js';

/** gemini-embedding-001's full size: what a server that ignores `outputDimensionality` sends. */
export const FULL_DIMENSIONS = 3072;

/** Answers one batchEmbedContents request; `rec` is filled in as the request is understood. */
export async function batchEmbedContents(state: EmulatorState, rec: RecordedRequest, model: string, body: unknown): Promise<Reply> {
  const items = readEmbedRequest(body);
  rec.promptText = items.map((i) => i.text).join('\n');
  rec.promptTokens = items.reduce((n, i) => n + tokensForChars(i.text.length), 0);
  // Taken once the request is read, so `match` predicates see its text.
  await state.sleep(state.nextLatencyMs() + (state.faults.takeLatency(rec)?.ms ?? 0));
  const errorFault = state.faults.takeError(rec);
  if (errorFault) return errorFaultReply(state, model, errorFault);

  const shape = state.faults.takeShape(rec);
  const vectors =
    shape?.kind === 'wrong-dimensions'
      ? items.map((i) => hashedEmbedding(i.text, shape.dimensions ?? FULL_DIMENSIONS))
      : state.embed
        ? await suppliedEmbeddings(state.embed, items)
        : items.map((i) => hashedEmbedding(i.text, i.outputDimensionality ?? DEFAULT_DIMENSIONS));
  return { status: 200, body: { embeddings: vectors.map((values) => ({ values })) } };
}

/**
 * Vectors from the caller's embed function. A batch may mix task types and sizes (the API allows it,
 * Fillflow never sends it), so consecutive items that share both go in one call, keeping order.
 */
async function suppliedEmbeddings(embed: EmbedFunction, items: EmbedItem[]): Promise<number[][]> {
  const out: number[][] = [];
  for (let start = 0; start < items.length; ) {
    const { taskType, outputDimensionality } = items[start]!;
    let end = start + 1;
    while (end < items.length && items[end]!.taskType === taskType && items[end]!.outputDimensionality === outputDimensionality) end++;
    const vectors = await embed(items.slice(start, end).map((i) => i.text), taskType, outputDimensionality);
    // A wrong count is the function's bug; thrown, it becomes a 500 naming it rather than a short answer.
    if (vectors.length !== end - start) throw new Error(`embed function returned ${vectors.length} vectors for ${end - start} texts`);
    out.push(...vectors);
    start = end;
  }
  return out;
}
