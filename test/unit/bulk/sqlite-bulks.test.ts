/** The bulks part of the SQLite store: rows in manifest order, outcomes whose first stands, counts. */
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';

const rows = ['a', 'b', 'c', 'd'].map((row, i) => ({ row, templateId: 't', documentIds: [`doc-${i}`] }));

describe('sqlite bulks', () => {
  it('keeps a bulk and its rows in manifest order, with fill IDs derived from the bulk and the row', async () => {
    const store = openSqliteStore(':memory:');
    await store.createBulk({ bulkId: 'bulk-1', meta: { route: 'standard' } }, rows);
    // Idempotent: a second create leaves the first as it was.
    await store.createBulk({ bulkId: 'bulk-1', meta: { route: 'flex' } }, rows.slice(0, 1));
    expect(await store.getBulk('bulk-1')).toMatchObject({ bulkId: 'bulk-1', rows: 4, meta: { route: 'standard' } });
    const page = await store.listBulkRows('bulk-1', 1, 2);
    expect(page.map((r) => [r.index, r.row, r.fillId, r.documentIds, r.status])).toEqual([
      [1, 'b', 'bulk-1/b', ['doc-1'], 'pending'],
      [2, 'c', 'bulk-1/c', ['doc-2'], 'pending'],
    ]);
    expect(await store.listBulkRows('bulk-1', 4, 10)).toEqual([]);
    expect(await store.getBulk('bulk-2')).toBeUndefined();
    await store.close();
  });

  it('records outcomes once: a replayed record changes nothing', async () => {
    const store = openSqliteStore(':memory:');
    await store.createBulk({ bulkId: 'b', meta: {} }, rows);
    await store.recordBulkRowOutcomes('b', [{ index: 0, status: 'completed' }, { index: 1, status: 'failed', reason: 'unknown document' }]);
    await store.recordBulkRowOutcomes('b', [{ index: 0, status: 'cancelled', reason: 'late' }, { index: 2, status: 'cancelled', reason: 'the bulk was cancelled' }]);
    const all = await store.listBulkRows('b', 0, 10);
    expect(all.map((r) => [r.row, r.status, r.reason])).toEqual([
      ['a', 'completed', undefined],
      ['b', 'failed', 'unknown document'],
      ['c', 'cancelled', 'the bulk was cancelled'],
      ['d', 'pending', undefined],
    ]);
    expect(await store.bulkRowCounts('b')).toEqual({ pending: 1, completed: 1, failed: 1, cancelled: 1 });
    await store.setBulkMeta('b', { done: true });
    expect((await store.getBulk('b'))?.meta).toEqual({ done: true });
    await store.close();
  });

  it('refuses a duplicate row ID and stores nothing of that bulk', async () => {
    const store = openSqliteStore(':memory:');
    await expect(store.createBulk({ bulkId: 'x', meta: {} }, [rows[0]!, rows[0]!])).rejects.toThrow(/UNIQUE/);
    expect(await store.getBulk('x')).toBeUndefined();
    await store.close();
  });
});
