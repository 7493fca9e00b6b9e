/** @module What the fault cases share: fills made distinct from one another (so no answer comes from another's
 * cache), the check that a finished batch was never asked again (from the fill's Temporal history and the
 * emulator's recording), and the check of a fill's values against the example's expected ones. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { ExtractBatchInput } from '../../src/core/fill-records.js';
import type { FillResult } from '../../src/core/types.js';
import type { RecordedRequest } from '../../src/emulator/index.js';
import { ingestPaths } from '../../src/retrieval/ingest.js';
import { exampleExpected, type Rig } from '../helpers/fill-harness.js';

/** The sentence that makes fill `n`'s prompts its own: every Gemini request of that fill carries it. */
export const marker = (n: number) => `Supplier file reference FAULT-${String(n).padStart(4, '0')}.`;

/**
 * Stores the example's documents plus a one-line note naming fill `n`, and returns the document IDs: the fill
 * asks for the same 30 fields as every other, but its prompts are its own, so the answer cache never serves it.
 */
export async function distinctExample(rig: Rig, n: number): Promise<{ templateId: string; documentIds: string[] }> {
  const { templateId, documentIds } = await rig.loadExample();
  const dir = join(rig.dir, 'notes');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `reference-${n}.txt`);
  writeFileSync(path, `${marker(n)}\n`);
  const [note] = await ingestPaths(rig.store, [path]);
  return { templateId, documentIds: [...documentIds, note!.id] };
}

/** The fill a recorded request belongs to, by its marker; undefined for none. */
export function fillOf(q: RecordedRequest): number | undefined {
  const m = /Supplier file reference FAULT-(\d{4})\./.exec(q.promptText);
  return m ? Number(m[1]) : undefined;
}

/** Fields whose value differs from the example's expected table. */
export function wrongValues(result: FillResult): string[] {
  const expected = exampleExpected();
  return result.fields.filter((f) => JSON.stringify(f.value) !== JSON.stringify(expected[f.key])).map((f) => f.key);
}

export interface RedoCount {
  /** extractBatch activities that completed. */
  finished: number;
  /** Requests that repeated the prompt of a batch after that batch's activity had completed: work redone. */
  redoneAfterFinish: number;
  /** Requests that repeated a prompt while its batch was unfinished: a retry after an error, or a call in flight at a kill. */
  resentUnfinished: number;
}

const msOf = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
  Number(t?.seconds ?? 0) * 1_000 + Math.floor((t?.nanos ?? 0) / 1e6);

/**
 * Counts redone work for one fill: for each extractBatch that completed (its time from the history), the requests
 * after that instant whose prompt equals one sent for that batch before it. A redone batch sends the very same
 * prompt; a re-ask or a split half sends another, so it is not counted.
 */
export async function countRedone(client: Client, fillId: string, calls: readonly RecordedRequest[]): Promise<RedoCount> {
  const history = await client.workflow.getHandle(fillId).fetchHistory();
  const scheduled = new Map<string, ExtractBatchInput>();
  const completedAt: { input: ExtractBatchInput; at: number }[] = [];
  for (const e of history.events ?? []) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s?.activityType?.name === 'extractBatch' && s.input?.payloads?.[0]) {
      scheduled.set(String(e.eventId), defaultPayloadConverter.fromPayload<ExtractBatchInput>(s.input.payloads[0]));
    }
    const c = e.activityTaskCompletedEventAttributes;
    const input = c ? scheduled.get(String(c.scheduledEventId)) : undefined;
    if (input) completedAt.push({ input, at: msOf(e.eventTime) });
  }
  const sameKeys = (q: RecordedRequest, keys: string[]) => q.fieldKeys.length === keys.length && [...q.fieldKeys].sort().join() === [...keys].sort().join();
  let redoneAfterFinish = 0;
  for (const { input, at } of completedAt) {
    const mine = calls.filter((q) => sameKeys(q, input.fieldKeys));
    const before = new Set(mine.filter((q) => q.at <= at).map((q) => q.promptText));
    redoneAfterFinish += mine.filter((q) => q.at > at && before.has(q.promptText)).length;
  }
  const seen = new Map<string, number>();
  for (const q of calls) seen.set(q.promptText, (seen.get(q.promptText) ?? 0) + 1);
  const repeats = [...seen.values()].reduce((n, k) => n + k - 1, 0);
  return { finished: completedAt.length, redoneAfterFinish, resentUnfinished: repeats - redoneAfterFinish };
}
