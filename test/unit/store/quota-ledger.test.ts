/** @module The SQLite quota ledger: reserve-then-reconcile, 429s, the day, and two processes reserving at once. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextPacificMidnight } from '../../../src/core/pacific-day.js';
import type { QuotaLimits } from '../../../src/core/quota-decision.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';
import type { Store } from '../../../src/store/store.js';

const T = Date.UTC(2026, 5, 15, 20);
const bucket = { keyId: 'abc123', model: 'gemini-x' };
const LIMITS: QuotaLimits = { requestsPerMinute: 2, tokensPerMinute: 1_000, requestsPerDay: 5, minIntervalMs: 0 };
let dir: string;
let dbPath: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fillflow-ledger-'));
  dbPath = join(dir, 'fillflow.db');
  store = openSqliteStore(dbPath);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('quota ledger', () => {
  it('grants a burst up to the per-minute limit, then says how long to wait', async () => {
    expect(await store.quotaReserve(bucket, LIMITS, 100, T)).toMatchObject({ ok: true });
    expect(await store.quotaReserve(bucket, LIMITS, 100, T)).toMatchObject({ ok: true });
    // A minute and the send margin (1 s) after the first call.
    expect(await store.quotaReserve(bucket, LIMITS, 100, T + 1_000)).toEqual({ ok: false, reason: 'per-minute', waitMs: 60_000 });
    expect(await store.quotaReserve(bucket, LIMITS, 100, T + 61_000)).toMatchObject({ ok: true });
  });

  it('reconciles the estimate with the real token count, which frees (or takes) room in the window', async () => {
    const limits = { ...LIMITS, requestsPerMinute: 100 };
    const r = await store.quotaReserve(bucket, limits, 900, T);
    expect(await store.quotaReserve(bucket, limits, 200, T)).toMatchObject({ ok: false, reason: 'tokens-per-minute' });
    if (!r.ok) throw new Error('first reservation refused');
    await store.quotaReconcile(r.reservationId, 300);
    expect(await store.quotaReserve(bucket, limits, 200, T)).toMatchObject({ ok: true });
    expect((await store.quotaSnapshots(bucket, T))[0]).toMatchObject({ tokensInWindow: 500, requestsInWindow: 2 });
  });

  it('keeps buckets apart by key identity and model', async () => {
    const one = { ...LIMITS, requestsPerMinute: 1 };
    expect(await store.quotaReserve(bucket, one, 1, T)).toMatchObject({ ok: true });
    expect(await store.quotaReserve({ ...bucket, model: 'other' }, one, 1, T)).toMatchObject({ ok: true });
    expect(await store.quotaReserve({ ...bucket, keyId: 'def456' }, one, 1, T)).toMatchObject({ ok: true });
    expect(await store.quotaReserve(bucket, one, 1, T)).toMatchObject({ ok: false });
  });

  it('closes the day at the daily count, and opens the next Pacific day', async () => {
    const limits = { ...LIMITS, requestsPerMinute: 100 };
    for (let i = 0; i < 5; i++) expect(await store.quotaReserve(bucket, limits, 1, T + i)).toMatchObject({ ok: true });
    expect(await store.quotaReserve(bucket, limits, 1, T + 10)).toEqual({ ok: false, reason: 'per-day', resetAt: nextPacificMidnight(T) });
    expect(await store.quotaReserve(bucket, limits, 1, nextPacificMidnight(T))).toMatchObject({ ok: true });
  });

  it('a per-day 429 closes the day; reopening (resume) lets calls go again that day', async () => {
    await store.quotaRecord429(bucket, 'per-day', T);
    expect(await store.quotaReserve(bucket, LIMITS, 1, T + 1)).toMatchObject({ ok: false, reason: 'per-day' });
    expect((await store.quotaSnapshots(bucket, T))[0]).toMatchObject({ exhaustedUntil: nextPacificMidnight(T) });
    await store.quotaReopen(bucket, T + 2);
    expect(await store.quotaReserve(bucket, LIMITS, 1, T + 3)).toMatchObject({ ok: true });
  });

  it('a per-minute 429 lowers the rate for every worker on the file, and it creeps back', async () => {
    const limits = { ...LIMITS, requestsPerMinute: 10, requestsPerDay: 100 };
    await store.quotaRecord429(bucket, 'per-minute', T);
    const other = openSqliteStore(dbPath);
    try {
      for (let i = 0; i < 7; i++) expect(await other.quotaReserve(bucket, limits, 1, T + i)).toMatchObject({ ok: true });
      expect(await other.quotaReserve(bucket, limits, 1, T + 10)).toMatchObject({ ok: false, reason: 'per-minute' });
      expect((await other.quotaSnapshots(bucket, T + 10))[0]).toMatchObject({ rateFactor: 0.7, limitedToday: 1 });
      expect((await other.quotaSnapshots(bucket, T + 3 * 60_000))[0]).toMatchObject({ rateFactor: 1 });
    } finally {
      await other.close();
    }
  });

  it('spaces calls when the profile asks for it', async () => {
    const spaced = { ...LIMITS, requestsPerMinute: 100, minIntervalMs: 2_000 };
    expect(await store.quotaReserve(bucket, spaced, 1, T)).toMatchObject({ ok: true });
    expect(await store.quotaReserve(bucket, spaced, 1, T + 500)).toEqual({ ok: false, reason: 'min-interval', waitMs: 1_500 });
    expect(await store.quotaReserve(bucket, spaced, 1, T + 2_000)).toMatchObject({ ok: true });
  });

  it('under concurrent reservations from two processes, grants exactly the limit, never more', async () => {
    await store.close();
    const holder = new Database(dbPath);
    holder.pragma('busy_timeout = 10000');
    // Held write lock: both children open and queue their first reservation, then race when it is released.
    holder.exec('BEGIN IMMEDIATE');
    const script = fileURLToPath(new URL('./quota-reserver.ts', import.meta.url));
    const opened: Promise<void>[] = [];
    const run = (tokens: number) => {
      let signal: () => void = () => {};
      opened.push(new Promise<void>((r) => (signal = r)));
      return new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script, dbPath, '40', String(tokens), String(T)], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('opened\n')) signal();
        });
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('exit', (code) => (code === 0 ? resolve(Number(/granted (\d+)/.exec(out)?.[1])) : reject(new Error(`reserver exited ${code}: ${err}`))));
      });
    };
    // 20 requests per minute and 1,000 tokens: at 10 tokens a call the request limit binds ...
    const both = [run(10), run(10)];
    await Promise.all(opened);
    await new Promise((r) => setTimeout(r, 200));
    holder.exec('COMMIT');
    const [a, b] = await Promise.all(both);
    // Which process wins each slot is up to the lock; that together they never exceed the limit is not.
    expect(a! + b!).toBe(20);
    const rows = holder.prepare('SELECT count(*) AS n, sum(tokens) AS t FROM quota_calls').get() as { n: number; t: number };
    expect(rows).toEqual({ n: 20, t: 200 });

    // ... at 70 tokens a call the token limit does: 14 × 70 = 980 ≤ 1,000 < 15 × 70.
    holder.exec('DELETE FROM quota_calls');
    opened.length = 0;
    const tok = [run(70), run(70)];
    await Promise.all(opened);
    const [c, d] = await Promise.all(tok);
    expect(c! + d!).toBe(14);
    expect((holder.prepare('SELECT sum(tokens) AS t FROM quota_calls').get() as { t: number }).t).toBe(980);
    holder.close();
    store = openSqliteStore(dbPath);
  });
});
