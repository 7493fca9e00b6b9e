/** @module The SQLite implementation of the quota-ledger part of the store: one row per started call and
 * one per bucket, every reservation a short BEGIN IMMEDIATE transaction, so the workers of one machine
 * (every process opening the same file) share one exact view of the per-minute windows and the day. */
import type Database from 'better-sqlite3';
import { LEDGER_WINDOW_MS, decideReservation, factorAfter429, type BucketState } from '../core/quota-decision.js';
import { pacificDay } from '../core/pacific-day.js';
import { WINDOW_MS } from '../core/quota-window.js';
import { KEEP_MS, toBucketState, toSnapshot, type BucketRow } from './quota-ledger-rows.js';
import type { SqliteModule } from './sqlite-modules.js';
import type { QuotaBucket, QuotaLedgerStore, QuotaSnapshot } from './quota-ledger-store.js';

const MIGRATIONS = [
  `
  CREATE TABLE quota_calls (
    id INTEGER PRIMARY KEY,
    key_id TEXT NOT NULL,
    model TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    day TEXT NOT NULL,
    tokens INTEGER NOT NULL,
    reconciled INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX quota_calls_window ON quota_calls (key_id, model, at_ms);
  CREATE INDEX quota_calls_day ON quota_calls (key_id, model, day);

  CREATE TABLE quota_buckets (
    key_id TEXT NOT NULL,
    model TEXT NOT NULL,
    rate_factor REAL NOT NULL DEFAULT 1,
    last_limited_ms INTEGER,
    limited_day TEXT,
    limited_today INTEGER NOT NULL DEFAULT 0,
    exhausted_day TEXT,
    resumed_day TEXT,
    PRIMARY KEY (key_id, model)
  );
  `,
  `
  CREATE TABLE quota_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
];

export const sqliteQuotaLedger: SqliteModule<QuotaLedgerStore> = {
  name: 'quota-ledger',
  migrations: MIGRATIONS,
  create: (db) => createLedger(db),
};

function prepare(db: Database.Database) {
  return {
    bucket: db.prepare<[string, string], BucketRow>('SELECT * FROM quota_buckets WHERE key_id = ? AND model = ?'),
    buckets: db.prepare<[], BucketRow>('SELECT * FROM quota_buckets ORDER BY key_id, model'),
    ensureBucket: db.prepare<[string, string]>('INSERT INTO quota_buckets (key_id, model) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    window: db.prepare<[string, string, number], { at_ms: number; tokens: number }>(
      'SELECT at_ms, tokens FROM quota_calls WHERE key_id = ? AND model = ? AND at_ms > ? ORDER BY at_ms, id',
    ),
    today: db.prepare<[string, string, string], { n: number }>('SELECT count(*) AS n FROM quota_calls WHERE key_id = ? AND model = ? AND day = ?'),
    last: db.prepare<[string, string], { at_ms: number }>('SELECT max(at_ms) AS at_ms FROM quota_calls WHERE key_id = ? AND model = ?'),
    insert: db.prepare<[string, string, number, string, number]>('INSERT INTO quota_calls (key_id, model, at_ms, day, tokens) VALUES (?, ?, ?, ?, ?)'),
    reconcile: db.prepare<[number, number]>('UPDATE quota_calls SET tokens = ?, reconciled = 1 WHERE id = ?'),
    limited: db.prepare<[number, number, string, string, string, string]>(
      `UPDATE quota_buckets SET rate_factor = ?, last_limited_ms = ?,
         limited_today = CASE WHEN limited_day = ? THEN limited_today + 1 ELSE 1 END, limited_day = ?
       WHERE key_id = ? AND model = ?`,
    ),
    exhaust: db.prepare<[string, string, string]>('UPDATE quota_buckets SET exhausted_day = ? WHERE key_id = ? AND model = ?'),
    reopen: db.prepare<[string, string, string]>('UPDATE quota_buckets SET exhausted_day = NULL, resumed_day = ? WHERE key_id = ? AND model = ?'),
    prune: db.prepare<[number]>('DELETE FROM quota_calls WHERE at_ms < ?'),
    getSetting: db.prepare<[string], { value: string }>('SELECT value FROM quota_settings WHERE name = ?'),
    putSetting: db.prepare<[string, string]>('INSERT INTO quota_settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
    deleteSetting: db.prepare<[string]>('DELETE FROM quota_settings WHERE name = ?'),
  };
}

function createLedger(db: Database.Database): QuotaLedgerStore {
  const sql = prepare(db);

  const state = (b: QuotaBucket, now: number): BucketState => {
    sql.ensureBucket.run(b.keyId, b.model);
    return toBucketState(sql.bucket.get(b.keyId, b.model)!, {
      window: sql.window.all(b.keyId, b.model, now - LEDGER_WINDOW_MS).map((r) => ({ at: r.at_ms, tokens: r.tokens })),
      requestsToday: sql.today.get(b.keyId, b.model, pacificDay(now))?.n ?? 0,
      lastStartAt: sql.last.get(b.keyId, b.model)?.at_ms,
    });
  };

  let reservations = 0;
  // Immediate: the write lock is taken before the read, so the check and the insert are one step for
  // every process on the file (a deferred transaction would let two readers both see the last free slot).
  const reserve = db.transaction((b: QuotaBucket, limits: Parameters<typeof decideReservation>[0], tokens: number, given: number | undefined) => {
    // The clock is read once the write lock is held: a time taken before waiting for another process's
    // transaction would file this call earlier than it starts (and behind calls that started before it).
    const now = given ?? Date.now();
    const decision = decideReservation(limits, state(b, now), tokens, now);
    if (!decision.ok) return decision;
    const { lastInsertRowid } = sql.insert.run(b.keyId, b.model, now, pacificDay(now), Math.max(0, Math.round(tokens)));
    return { ok: true as const, reservationId: Number(lastInsertRowid) };
  });

  const record429 = db.transaction((b: QuotaBucket, kind: string, now: number) => {
    const s = state(b, now);
    if (kind === 'per-day') sql.exhaust.run(pacificDay(now), b.keyId, b.model);
    else sql.limited.run(factorAfter429(s, now), now, pacificDay(now), pacificDay(now), b.keyId, b.model);
  });

  const reopen = db.transaction((b: QuotaBucket, now: number) => {
    sql.ensureBucket.run(b.keyId, b.model);
    sql.reopen.run(pacificDay(now), b.keyId, b.model);
  });

  const snapshot = (row: BucketRow, now: number): QuotaSnapshot => {
    const window = sql.window.all(row.key_id, row.model, now - WINDOW_MS);
    return toSnapshot(
      row,
      {
        requestsToday: sql.today.get(row.key_id, row.model, pacificDay(now))?.n ?? 0,
        requestsInWindow: window.length,
        tokensInWindow: window.reduce((sum, r) => sum + r.tokens, 0),
      },
      now,
    );
  };

  return {
    async quotaReserve(bucket, limits, tokens, now) {
      if (++reservations % 500 === 0) sql.prune.run((now ?? Date.now()) - KEEP_MS);
      return reserve.immediate(bucket, limits, tokens, now);
    },
    async quotaReconcile(reservationId, promptTokens) {
      sql.reconcile.run(Math.max(0, Math.round(promptTokens)), reservationId);
    },
    async quotaRecord429(bucket, kind, now = Date.now()) {
      record429.immediate(bucket, kind, now);
    },
    async quotaReopen(bucket, now = Date.now()) {
      reopen.immediate(bucket, now);
    },
    async quotaSetLimits(limits) {
      if (limits === null) sql.deleteSetting.run('limits');
      else sql.putSetting.run('limits', JSON.stringify(limits));
    },
    async quotaLimitOverrides() {
      const row = sql.getSetting.get('limits');
      return row ? (JSON.parse(row.value) as Record<string, number>) : undefined;
    },
    async quotaSnapshots(bucket, now = Date.now()) {
      const rows = bucket ? [sql.bucket.get(bucket.keyId, bucket.model)].filter((r): r is BucketRow => r !== undefined) : sql.buckets.all();
      return rows.map((r) => snapshot(r, now));
    },
  };
}
