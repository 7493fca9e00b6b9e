/** @module The store contract, on every store: a bulk's rows in manifest order, and each row's first outcome. */
import { describe, expect, it } from 'vitest';
import { STORE_KINDS, useStore } from './store-kinds.js';

const rows = [
  { row: 'r1', templateId: 't', documentIds: ['d1', 'd2'] },
  { row: 'r2', templateId: 't', documentIds: [] },
  { row: 'r3', templateId: 'u', documentIds: ['d3'] },
];

describe.each(STORE_KINDS)('$name store: bulks', (kind) => {
  const h = useStore(kind);

  it('records a bulk and its rows in manifest order, once', async () => {
    expect(await h.store.getBulk('b')).toBeUndefined();
    await h.store.createBulk({ bulkId: 'b', meta: { window: 4, route: 'standard' } }, rows);
    await h.store.createBulk({ bulkId: 'b', meta: { other: true } }, rows.slice(0, 1));
    const bulk = await h.store.getBulk('b');
    expect(bulk).toMatchObject({ bulkId: 'b', rows: 3, meta: { window: 4, route: 'standard' } });
    expect(Number.isNaN(Date.parse(bulk!.createdAt))).toBe(false);
    const listed = await h.store.listBulkRows('b', 0, 10);
    expect(listed.map((r) => [r.index, r.row, r.fillId, r.status, r.documentIds])).toEqual([
      [0, 'r1', 'b/r1', 'pending', ['d1', 'd2']],
      [1, 'r2', 'b/r2', 'pending', []],
      [2, 'r3', 'b/r3', 'pending', ['d3']],
    ]);
    expect((await h.store.listBulkRows('b', 1, 1)).map((r) => r.row)).toEqual(['r2']);
    expect(await h.store.listBulkRows('b', 3, 10)).toEqual([]);
    expect(await h.store.listBulkRows('nope', 0, 10)).toEqual([]);
  });

  it('refuses a duplicate row id, storing nothing', async () => {
    await expect(h.store.createBulk({ bulkId: 'b', meta: {} }, [rows[0]!, rows[0]!])).rejects.toThrow(/unique/i);
    expect(await h.store.getBulk('b')).toBeUndefined();
  });

  it('keeps a row\'s first outcome, and counts rows by status', async () => {
    await h.store.createBulk({ bulkId: 'b', meta: {} }, rows);
    expect(await h.store.recordBulkRowOutcomes('b', [{ index: 0, status: 'completed' }, { index: 2, status: 'failed', reason: 'template invalid' }])).toEqual({
      pending: 0,
      completed: 1,
      failed: 1,
      cancelled: 0,
    });
    // A row's first outcome stands: a later one changes nothing, and says so.
    expect(await h.store.recordBulkRowOutcomes('b', [{ index: 0, status: 'failed', reason: 'late' }])).toEqual({ pending: 0, completed: 0, failed: 0, cancelled: 0 });
    await h.store.recordBulkRowOutcomes('b', []);
    const listed = await h.store.listBulkRows('b', 0, 10);
    expect(listed.map((r) => [r.status, r.reason])).toEqual([
      ['completed', undefined],
      ['pending', undefined],
      ['failed', 'template invalid'],
    ]);
    expect(await h.store.bulkRowCounts('b')).toEqual({ pending: 1, completed: 1, failed: 1, cancelled: 0 });
    expect(await h.store.bulkRowCounts('nope')).toEqual({ pending: 0, completed: 0, failed: 0, cancelled: 0 });
  });

  it('replaces the meta', async () => {
    await h.store.createBulk({ bulkId: 'b', meta: { a: 1 } }, rows);
    await h.store.setBulkMeta('b', { a: 1, summary: { completed: 3 } });
    await h.store.setBulkMeta('nope', { x: 1 });
    expect((await h.store.getBulk('b'))?.meta).toEqual({ a: 1, summary: { completed: 3 } });
    expect(await h.store.getBulk('nope')).toBeUndefined();
  });
});

describe.each(STORE_KINDS)('$name store: bulk Batch Mode jobs', (kind) => {
  const h = useStore(kind);
  const items = [{ key: 'cache-key-1', fillId: 'b/r1', batchId: 'b1', fieldKeys: ['a', 'b'] }];

  it('records a job as submitted, lists a group\'s jobs by attempt, and refuses a second job for an attempt', async () => {
    await h.store.createBulk({ bulkId: 'b', meta: {} }, rows);
    expect(await h.store.bulkBatchJobs('b', 0)).toEqual([]);
    await h.store.recordBulkBatchJob({ bulkId: 'b', group: 0, attempt: 2, name: 'batches/two', items });
    await h.store.recordBulkBatchJob({ bulkId: 'b', group: 0, attempt: 1, name: 'batches/one', items: [] });
    await h.store.recordBulkBatchJob({ bulkId: 'b', group: 2, attempt: 1, name: 'batches/other', items: [] });
    const jobs = await h.store.bulkBatchJobs('b', 0);
    expect(jobs.map((j) => [j.attempt, j.name, j.state])).toEqual([
      [1, 'batches/one', 'submitted'],
      [2, 'batches/two', 'submitted'],
    ]);
    expect(jobs[1]).toMatchObject({ bulkId: 'b', group: 0, items });
    expect(Number.isNaN(Date.parse(jobs[1]!.createdAt))).toBe(false);
    await expect(h.store.recordBulkBatchJob({ bulkId: 'b', group: 0, attempt: 1, name: 'batches/again', items: [] })).rejects.toThrow(/unique/i);
    await expect(h.store.recordBulkBatchJob({ bulkId: 'b', group: 1, attempt: 1, name: 'batches/one', items: [] })).rejects.toThrow(/unique/i);
  });

  it('moves a job\'s state, except out of collected', async () => {
    await h.store.createBulk({ bulkId: 'b', meta: {} }, rows);
    await h.store.recordBulkBatchJob({ bulkId: 'b', group: 0, attempt: 1, name: 'batches/one', items });
    await h.store.setBulkBatchJobState('batches/one', 'succeeded');
    expect((await h.store.bulkBatchJobs('b', 0))[0]?.state).toBe('succeeded');
    await h.store.setBulkBatchJobState('batches/one', 'collected');
    await h.store.setBulkBatchJobState('batches/one', 'expired');
    await h.store.setBulkBatchJobState('batches/unknown', 'failed');
    expect((await h.store.bulkBatchJobs('b', 0))[0]?.state).toBe('collected');
  });
});
