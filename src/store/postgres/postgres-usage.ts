/** @module The Postgres implementation of the usage part of the store: one row per event at the Gemini boundary,
 * with the endpoint and model it concerned, summed on read. Each event carries a key made when it is recorded,
 * so an insert retried after a lost connection cannot count it twice. */
import { randomUUID } from 'node:crypto';
import type { Store } from '../store.js';
import { toEndpointUsage, toTotals, UNKNOWN_ENDPOINT as UNKNOWN, type EndpointRow, type TotalsRow } from '../usage-rows.js';
import type { PgModule } from './postgres-modules.js';

type UsageStore = Pick<Store, 'recordUsage' | 'usageTotals' | 'usageAnsweredBy' | 'usageByEndpoint'>;

/** `detail` as a whole number of ms, as SQLite's CAST(detail AS INTEGER) reads it (0 when it is not a number). */
const DETAIL_MS = `CASE WHEN detail ~ '^\\s*-?[0-9]+(\\.[0-9]*)?\\s*$' THEN trunc(detail::numeric)::bigint ELSE 0 END`;

export const postgresUsage: PgModule<UsageStore> = {
  name: 'usage',
  migrations: [
    `
    CREATE TABLE usage_events (
      id bigserial PRIMARY KEY,
      event_key uuid NOT NULL UNIQUE,
      fill_id text NOT NULL,
      batch_id text NOT NULL,
      kind text NOT NULL,
      endpoint text,
      model text,
      detail text,
      prompt_tokens integer,
      output_tokens integer,
      fields integer,
      at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX usage_events_by_fill ON usage_events (fill_id);
    `,
  ],
  create(db) {
    return {
      async recordUsage(event) {
        await db.query(
          `INSERT INTO usage_events (event_key, fill_id, batch_id, kind, endpoint, model, detail, prompt_tokens, output_tokens, fields, at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, coalesce($11::timestamptz, now()))
           ON CONFLICT (event_key) DO NOTHING`,
          [
            randomUUID(),
            event.fillId,
            event.batchId,
            event.kind,
            event.endpoint ?? null,
            event.model ?? null,
            event.detail ?? null,
            event.promptTokens ?? null,
            event.outputTokens ?? null,
            event.fields ?? null,
            event.at ?? null,
          ],
        );
      },
      async usageTotals(fillId) {
        const key = fillId ?? null;
        // Tokens and fields count only on api_call events: a cache hit or a retry marker spent nothing by itself.
        const [row] = await db.query<TotalsRow>(
          `SELECT
             count(*) FILTER (WHERE kind = 'api_call')::int AS api_calls,
             count(*) FILTER (WHERE kind = 'cache_hit')::int AS cache_hits,
             coalesce(sum(prompt_tokens) FILTER (WHERE kind = 'api_call'), 0)::bigint AS prompt_tokens,
             coalesce(sum(output_tokens) FILTER (WHERE kind = 'api_call'), 0)::bigint AS output_tokens,
             count(*) FILTER (WHERE kind = 'rate_limited')::int AS rate_limited,
             count(*) FILTER (WHERE kind = 'retry')::int AS retries,
             count(*) FILTER (WHERE kind = 'error')::int AS errors,
             coalesce(sum(fields) FILTER (WHERE kind = 'api_call'), 0)::bigint AS fields_asked,
             coalesce(sum(${DETAIL_MS}) FILTER (WHERE kind = 'quota_wait'), 0)::bigint AS quota_wait_ms,
             coalesce(sum(${DETAIL_MS}) FILTER (WHERE kind = 'parked'), 0)::bigint AS parked_ms,
             coalesce(sum(fields) FILTER (WHERE kind = 'unproven'), 0)::bigint AS unproven
           FROM usage_events WHERE ($1::text IS NULL OR fill_id = $1)`,
          [key],
        );
        const kinds = await db.query<{ kind: string; n: number }>(
          `SELECT coalesce(detail, 'unknown') AS kind, count(*)::int AS n FROM usage_events
           WHERE kind = 'rate_limited' AND ($1::text IS NULL OR fill_id = $1)
           GROUP BY 1 ORDER BY coalesce(detail, 'unknown') COLLATE "C"`,
          [key],
        );
        const rateLimitedByKind: Record<string, number> = {};
        for (const { kind, n } of kinds) rateLimitedByKind[kind] = n;
        return toTotals(row, rateLimitedByKind);
      },
      async usageAnsweredBy(fillId) {
        // A request answered carries the fields it asked; a failed one, an embedding request or a 429 carries none.
        // Ties go to the endpoint, then the model, that sorts first (bytewise, as SQLite sorts), on every read.
        const [row] = await db.query<{ endpoint: string; model: string }>(
          `SELECT endpoint, model FROM usage_events
           WHERE fill_id = $1 AND kind IN ('api_call', 'cache_hit') AND fields > 0
             AND endpoint IS NOT NULL AND model IS NOT NULL
           GROUP BY endpoint, model
           ORDER BY sum(fields) DESC, endpoint COLLATE "C", model COLLATE "C"
           LIMIT 1`,
          [fillId],
        );
        return row ? { endpoint: row.endpoint, model: row.model } : undefined;
      },
      async usageByEndpoint(fillId) {
        const rows = await db.query<EndpointRow>(
          `SELECT * FROM (
             SELECT coalesce(endpoint, $1) AS endpoint, coalesce(model, $1) AS model,
               count(*) FILTER (WHERE kind = 'api_call')::int AS api_calls,
               count(*) FILTER (WHERE kind = 'cache_hit')::int AS cache_hits,
               coalesce(sum(prompt_tokens) FILTER (WHERE kind = 'api_call'), 0)::bigint AS prompt_tokens,
               coalesce(sum(output_tokens) FILTER (WHERE kind = 'api_call'), 0)::bigint AS output_tokens
             FROM usage_events WHERE kind IN ('api_call', 'cache_hit') AND ($2::text IS NULL OR fill_id = $2)
             GROUP BY 1, 2
           ) AS per_endpoint
           -- The busiest first, as \`fillflow stats\` lists them; ties bytewise, as SQLite sorts.
           ORDER BY api_calls + cache_hits DESC, endpoint COLLATE "C", model COLLATE "C"`,
          [UNKNOWN, fillId ?? null],
        );
        return rows.map(toEndpointUsage);
      },
    };
  },
};

