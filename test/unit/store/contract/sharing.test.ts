/** @module The store contract, on every store: several stores (connections, processes) on one location at once
 * see each other's writes, store a document written by all of them once, and lose nothing. */
import { describe, expect, it } from 'vitest';
import { putText } from './chunks.js';
import { runTogether, storeScript } from './child-processes.js';
import { STORE_KINDS, useStore } from './store-kinds.js';

describe.each(STORE_KINDS)('$name store: one location, many users', (kind) => {
  const h = useStore(kind);

  it('two stores interleave writes and each sees the other\'s', async () => {
    const other = await h.open();
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 50; i++) {
      const s = i % 2 === 0 ? h.store : other;
      writes.push(putText(s, `${i}.txt`, `Document ${i} about harbours.`));
      writes.push(s.recordUsage({ fillId: 'f', batchId: `b${i}`, kind: 'api_call' }));
    }
    writes.push(putText(h.store, 'same.txt', 'Identical text.'), putText(other, 'same.txt', 'Identical text.'));
    await Promise.all(writes);
    expect((await other.listDocuments()).length).toBe(51);
    expect((await h.store.usageTotals('f')).apiCalls).toBe(50);
    expect((await h.store.listChunks((await h.store.listDocuments()).map((d) => d.id))).length).toBe(51);
  });

  it('two processes write at once: the shared document is stored once and every write lands', async () => {
    const outs = await runTogether(storeScript('concurrent-writer.ts'), [
      [h.location, 'a', '40'],
      [h.location, 'b', '40'],
    ]);
    expect(outs).toEqual(['opened\ndone\n', 'opened\ndone\n']);

    const check = await h.open();
    const docs = await check.listDocuments();
    expect(docs.length).toBe(81);
    expect(docs.filter((d) => d.name === 'shared')).toHaveLength(1);
    expect(await check.listChunks(docs.map((d) => d.id))).toHaveLength(81);
    expect((await check.usageTotals()).apiCalls).toBe(80);
    expect((await check.usageTotals('fill-a')).fieldsAsked).toBe(80);
    const hits = await check.searchChunks('lighthouse keeper', docs.map((d) => d.id), 100);
    expect(hits).toHaveLength(80);
  }, 60_000);
});
