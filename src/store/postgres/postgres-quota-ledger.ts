/** @module The Postgres implementation of the quota-ledger part of the store: one ledger for every worker of a
 * cluster. A reservation is one READ COMMITTED transaction that locks its bucket's row (`SELECT … FOR UPDATE`),
 * reads the clock of the database (one clock for every machine, so skew between them cannot open a window
 * early), reads the bucket's window, asks the pure {@link decideReservation}, and inserts the call: reservations
 * of one (key, model) take turns across machines, and other buckets never wait. The arithmetic is the SQLite
 * ledger's, from src/core/quota-decision.ts. */
import { LEDGER_WINDOW_MS, decideReservation, factorAfter429, type BucketState, type QuotaLimits } from '../../core/quota-decision.js';
import { pacificDay } from '../../core/pacific-day.js';
import { WINDOW_MS } from '../../core/quota-window.js';
import { KEEP_MS, toBucketState, toSnapshot, type BucketRow } from '../quota-ledger-rows.js';
import type { QuotaBucket, QuotaLedgerStore, QuotaSnapshot } from '../quota-ledger-store.js';
import type { PgDb, PgQueryable } from './postgres-db.js';
import type { PgModule } from './postgres-modules.js';

const MIGRATIONS = [
  `
  CREATE TABLE quota_calls (
    id bigserial PRIMARY KEY,
    key_id text NOT NULL,
    model text NOT NULL,
    at_ms bigint NOT NULL,
    day text NOT NULL,
    tokens integer NOT NULL,
    reconciled boolean NOT NULL DEFAULT false
  );
  CREATE INDEX quota_calls_window ON quota_calls (key_id, model, at_ms);
  CREATE INDEX quota_calls_day ON quota_calls (key_id, model, day);

  CREATE TABLE quota_buckets (
    key_id text NOT NULL,
    model text NOT NULL,
    rate_factor double precision NOT NULL DEFAULT 1,
    last_limited_ms bigint,
    limited_day text,
    limited_today integer NOT NULL DEFAULT 0,
    exhausted_day text,
    resumed_day text,
    PRIMARY KEY (key_id, model)
  );

  CREATE TABLE quota_settings (name text PRIMARY KEY, value jsonb NOT NULL);
  `,
];

/** The database's clock, in ms since the epoch: read inside the transaction, after the bucket's lock is held. */
const DB_NOW = 'SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now';

/** The instant a caller gave, as the whole milliseconds the ledger stores; the database's clock when none. */
async function instant(q: PgQueryable, now: number | undefined): Promise<number> {
  return now !== undefined ? Math.floor(now) : dbNow(q);
}

async function dbNow(q: PgQueryable): Promise<number> {
  const [row] = await q.query<{ now: number }>(DB_NOW);
  return row!.now;
}

/** Makes sure the bucket's row exists and locks it until the transaction ends. */
async function lockBucket(q: PgQueryable, b: QuotaBucket): Promise<BucketRow> {
  await q.query('INSERT INTO quota_buckets (key_id, model) VALUES ($1, $2) ON CONFLICT DO NOTHING', [b.keyId, b.model]);
  const [row] = await q.query<BucketRow>('SELECT * FROM quota_buckets WHERE key_id = $1 AND model = $2 FOR UPDATE', [b.keyId, b.model]);
  return row!;
}

/** The rows decideReservation reads: the calls that still count in the window, today's count, the latest start. */
async function bucketState(q: PgQueryable, b: QuotaBucket, row: BucketRow, now: number): Promise<BucketState> {
  const [counts] = await q.query<{ window: [number, number][]; today: number; last: number | null }>(
    `SELECT
       (SELECT coalesce(json_agg(json_build_array(at_ms, tokens) ORDER BY at_ms, id), '[]'::json)
          FROM quota_calls WHERE key_id = $1 AND model = $2 AND at_ms > $3) AS window,
       (SELECT count(*)::int FROM quota_calls WHERE key_id = $1 AND model = $2 AND day = $4) AS today,
       (SELECT max(at_ms) FROM quota_calls WHERE key_id = $1 AND model = $2) AS last`,
    [b.keyId, b.model, now - LEDGER_WINDOW_MS, pacificDay(now)],
  );
  return toBucketState(row, {
    window: counts!.window.map(([at, tokens]) => ({ at, tokens })),
    requestsToday: counts!.today,
    lastStartAt: counts!.last,
  });
}

export const postgresQuotaLedger: PgModule<QuotaLedgerStore> = {
  name: 'quota-ledger',
  migrations: MIGRATIONS,
  create: (db) => createLedger(db),
};

function createLedger(db: PgDb): QuotaLedgerStore {
  let reservations = 0;

  const snapshot = async (q: PgQueryable, row: BucketRow, now: number): Promise<QuotaSnapshot> => {
    const [counts] = await q.query<{ requests: number; tokens: number; today: number }>(
      `SELECT
         (SELECT count(*)::int FROM quota_calls WHERE key_id = $1 AND model = $2 AND at_ms > $3) AS requests,
         (SELECT coalesce(sum(tokens), 0)::bigint FROM quota_calls WHERE key_id = $1 AND model = $2 AND at_ms > $3) AS tokens,
         (SELECT count(*)::int FROM quota_calls WHERE key_id = $1 AND model = $2 AND day = $4) AS today`,
      [row.key_id, row.model, now - WINDOW_MS, pacificDay(now)],
    );
    return toSnapshot(row, { requestsInWindow: counts!.requests, tokensInWindow: counts!.tokens, requestsToday: counts!.today }, now);
  };

  return {
    async quotaReserve(bucket, limits: QuotaLimits, tokens, now) {
      if (++reservations % 500 === 0) {
        const cutoff = (await instant(db, now)) - KEEP_MS;
        await db.query('DELETE FROM quota_calls WHERE at_ms < $1', [cutoff]);
      }
      // A connection lost before COMMIT rolled the reservation back, so running it again cannot take two slots.
      return db.tx(async (q) => {
        const row = await lockBucket(q, bucket);
        const at = await instant(q, now);
        const decision = decideReservation(limits, await bucketState(q, bucket, row, at), tokens, at);
        if (!decision.ok) return decision;
        const [inserted] = await q.query<{ id: number }>(
          'INSERT INTO quota_calls (key_id, model, at_ms, day, tokens) VALUES ($1, $2, $3, $4, $5) RETURNING id',
          [bucket.keyId, bucket.model, at, pacificDay(at), Math.max(0, Math.round(tokens))],
        );
        return { ok: true as const, reservationId: inserted!.id };
      });
    },
    async quotaReconcile(reservationId, promptTokens) {
      await db.query('UPDATE quota_calls SET tokens = $1, reconciled = true WHERE id = $2', [Math.max(0, Math.round(promptTokens)), reservationId]);
    },
    async quotaRecord429(bucket, kind, now) {
      await db.tx(async (q) => {
        const row = await lockBucket(q, bucket);
        const at = await instant(q, now);
        if (kind === 'per-day') {
          await q.query('UPDATE quota_buckets SET exhausted_day = $1 WHERE key_id = $2 AND model = $3', [pacificDay(at), bucket.keyId, bucket.model]);
          return;
        }
        const factor = factorAfter429({ rateFactor: row.rate_factor, ...(row.last_limited_ms !== null ? { lastLimitedAt: row.last_limited_ms } : {}) }, at);
        await q.query(
          `UPDATE quota_buckets SET rate_factor = $1, last_limited_ms = $2,
             limited_today = CASE WHEN limited_day = $3 THEN limited_today + 1 ELSE 1 END, limited_day = $3
           WHERE key_id = $4 AND model = $5`,
          [factor, at, pacificDay(at), bucket.keyId, bucket.model],
        );
      });
    },
    async quotaReopen(bucket, now) {
      await db.tx(async (q) => {
        await lockBucket(q, bucket);
        const at = await instant(q, now);
        await q.query('UPDATE quota_buckets SET exhausted_day = NULL, resumed_day = $1 WHERE key_id = $2 AND model = $3', [pacificDay(at), bucket.keyId, bucket.model]);
      });
    },
    async quotaSetLimits(limits) {
      if (limits === null) await db.query("DELETE FROM quota_settings WHERE name = 'limits'");
      else await db.query("INSERT INTO quota_settings (name, value) VALUES ('limits', $1::jsonb) ON CONFLICT (name) DO UPDATE SET value = excluded.value", [JSON.stringify(limits)]);
    },
    async quotaLimitOverrides() {
      const [row] = await db.query<{ value: Partial<QuotaLimits> }>("SELECT value FROM quota_settings WHERE name = 'limits'");
      return row?.value;
    },
    async quotaSnapshots(bucket, now) {
      // Every bucket read at one instant of the database's clock.
      return db.tx(async (q) => {
        const at = await instant(q, now);
        const rows = bucket
          ? await q.query<BucketRow>('SELECT * FROM quota_buckets WHERE key_id = $1 AND model = $2', [bucket.keyId, bucket.model])
          : await q.query<BucketRow>('SELECT * FROM quota_buckets ORDER BY key_id COLLATE "C", model COLLATE "C"');
        const out: QuotaSnapshot[] = [];
        for (const row of rows) out.push(await snapshot(q, row, at));
        return out;
      });
    },
  };
}
