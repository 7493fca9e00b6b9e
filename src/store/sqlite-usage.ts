/** @module The SQLite implementation of the usage part of the store: one row per event at the Gemini boundary
 * (a request, a cache hit, a 429, a retry, a wait), with the endpoint and model it concerned, summed on read.
 * Its table is the baseline's (see sqlite-store.ts), migrated here. */
import type Database from 'better-sqlite3';
import type { SqliteModule } from './sqlite-modules.js';
import type { Store } from './store.js';
import { toEndpointUsage, toTotals, UNKNOWN_ENDPOINT as UNKNOWN, type EndpointRow, type TotalsRow } from './usage-rows.js';

type UsageStore = Pick<Store, 'recordUsage' | 'usageTotals' | 'usageAnsweredBy' | 'usageByEndpoint'>;

type UsageRow = [string, string, string, string | null, string | null, string | null, number | null, number | null, number | null, string];

function prepare(db: Database.Database) {
  return {
    insert: db.prepare<UsageRow>(
      `INSERT INTO usage_events (fill_id, batch_id, kind, endpoint, model, detail, prompt_tokens, output_tokens, fields, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    // Tokens and fields count only on api_call events: a cache hit or a retry marker spent nothing by itself.
    // The (? IS NULL OR ...) form keeps one statement for "all fills" and "one fill".
    totals: db.prepare<[string | null, string | null], TotalsRow>(
      `SELECT
         count(*) FILTER (WHERE kind = 'api_call') AS api_calls,
         count(*) FILTER (WHERE kind = 'cache_hit') AS cache_hits,
         coalesce(sum(prompt_tokens) FILTER (WHERE kind = 'api_call'), 0) AS prompt_tokens,
         coalesce(sum(output_tokens) FILTER (WHERE kind = 'api_call'), 0) AS output_tokens,
         count(*) FILTER (WHERE kind = 'rate_limited') AS rate_limited,
         count(*) FILTER (WHERE kind = 'retry') AS retries,
         count(*) FILTER (WHERE kind = 'error') AS errors,
         coalesce(sum(fields) FILTER (WHERE kind = 'api_call'), 0) AS fields_asked,
         coalesce(sum(CAST(detail AS INTEGER)) FILTER (WHERE kind = 'quota_wait'), 0) AS quota_wait_ms,
         coalesce(sum(CAST(detail AS INTEGER)) FILTER (WHERE kind = 'parked'), 0) AS parked_ms,
         coalesce(sum(fields) FILTER (WHERE kind = 'unproven'), 0) AS unproven
       FROM usage_events WHERE (? IS NULL OR fill_id = ?)`,
    ),
    rateLimitedByKind: db.prepare<[string | null, string | null], { kind: string; n: number }>(
      `SELECT coalesce(detail, 'unknown') AS kind, count(*) AS n FROM usage_events
       WHERE kind = 'rate_limited' AND (? IS NULL OR fill_id = ?)
       GROUP BY 1 ORDER BY 1`,
    ),
    // A request answered carries the fields it asked; one that failed (429, 5xx) and an embedding request carry
    // none, so they answer nothing. Events without an endpoint cannot say who answered, and are left out.
    // Ties go to the endpoint, then the model, that sorts first, so the answer is the same on every read.
    answeredBy: db.prepare<[string], { endpoint: string; model: string }>(
      `SELECT endpoint, model FROM usage_events
       WHERE fill_id = ? AND kind IN ('api_call', 'cache_hit') AND fields > 0
         AND endpoint IS NOT NULL AND model IS NOT NULL
       GROUP BY endpoint, model
       ORDER BY sum(fields) DESC, endpoint, model
       LIMIT 1`,
    ),
    // The busiest first, as `fillflow stats` lists them.
    byEndpoint: db.prepare<[string, string, string | null, string | null], EndpointRow>(
      `SELECT coalesce(endpoint, ?) AS endpoint, coalesce(model, ?) AS model,
         count(*) FILTER (WHERE kind = 'api_call') AS api_calls,
         count(*) FILTER (WHERE kind = 'cache_hit') AS cache_hits,
         coalesce(sum(prompt_tokens) FILTER (WHERE kind = 'api_call'), 0) AS prompt_tokens,
         coalesce(sum(output_tokens) FILTER (WHERE kind = 'api_call'), 0) AS output_tokens
       FROM usage_events WHERE kind IN ('api_call', 'cache_hit') AND (? IS NULL OR fill_id = ?)
       GROUP BY 1, 2
       ORDER BY api_calls + cache_hits DESC, 1, 2`,
    ),
  };
}

function createUsage(db: Database.Database): UsageStore {
  const sql = prepare(db);
  return {
    async recordUsage(event) {
      sql.insert.run(
        event.fillId,
        event.batchId,
        event.kind,
        event.endpoint ?? null,
        event.model ?? null,
        event.detail ?? null,
        event.promptTokens ?? null,
        event.outputTokens ?? null,
        event.fields ?? null,
        event.at ?? new Date().toISOString(),
      );
    },
    async usageTotals(fillId) {
      const key = fillId ?? null;
      const rateLimitedByKind: Record<string, number> = {};
      for (const { kind, n } of sql.rateLimitedByKind.all(key, key)) rateLimitedByKind[kind] = n;
      return toTotals(sql.totals.get(key, key), rateLimitedByKind);
    },
    async usageAnsweredBy(fillId) {
      const row = sql.answeredBy.get(fillId);
      return row ? { endpoint: row.endpoint, model: row.model } : undefined;
    },
    async usageByEndpoint(fillId) {
      const key = fillId ?? null;
      return sql.byEndpoint.all(UNKNOWN, UNKNOWN, key, key).map(toEndpointUsage);
    },
  };
}

export const sqliteUsage: SqliteModule<UsageStore> = {
  name: 'usage',
  migrations: [
    // Which endpoint and model each event concerned: answers are never mixed across endpoints, so neither are
    // their counts. Rows from before stay NULL (nothing recorded which endpoint they went to).
    `
    ALTER TABLE usage_events ADD COLUMN endpoint TEXT;
    ALTER TABLE usage_events ADD COLUMN model TEXT;
    `,
  ],
  create: createUsage,
};
