/** @module The Postgres implementation of the field memory part of the store: quotes kept per template, endpoint
 * and field, newest first, and the recall each set of documents was first given. */
import { createHash } from 'node:crypto';
import type { FieldMemoryStore, RememberedQuote } from '../field-memory-store.js';
import { QUOTES_KEPT_PER_FIELD } from '../field-memory-store.js';
import type { PgModule } from './postgres-modules.js';

/** One key for a set of documents, whatever order they are given in (the SQLite store's, so both agree). */
function documentSetKey(documentIds: string[]): string {
  return createHash('sha256').update(JSON.stringify([...new Set(documentIds)].sort())).digest('hex');
}

/** Keeps the last of each (field, quote) in the order given: one statement cannot upsert a row twice. */
function lastOfEach(quotes: RememberedQuote[]): RememberedQuote[] {
  const byKey = new Map<string, RememberedQuote>();
  for (const q of quotes) {
    const key = JSON.stringify([q.fieldKey, q.quote]);
    byKey.delete(key);
    byKey.set(key, q);
  }
  return [...byKey.values()];
}

/**
 * Each field's first recall for a document set: the stored choice where there is one, otherwise the newest
 * `$6` quotes from other documents, stored as the choice. A key that lost a race to another process's insert
 * comes back in neither branch, and the caller asks again.
 */
const RECALL = `
  WITH keys AS (SELECT DISTINCT unnest($3::text[]) AS field_key),
  existing AS (
    SELECT field_key, quotes FROM field_quote_choices
    WHERE template_id = $1 AND endpoint = $2 AND document_set = $4 AND field_key IN (SELECT field_key FROM keys)
  ),
  fresh AS (
    SELECT k.field_key, coalesce((
      SELECT json_agg(quote ORDER BY seq DESC) FROM (
        SELECT quote, seq FROM field_quotes q
        WHERE q.template_id = $1 AND q.endpoint = $2 AND q.field_key = k.field_key AND q.document_id <> ALL($5::text[])
        ORDER BY seq DESC LIMIT $6
      ) AS newest), '[]'::json) AS quotes
    FROM keys k WHERE k.field_key NOT IN (SELECT field_key FROM existing)
  ),
  inserted AS (
    INSERT INTO field_quote_choices (template_id, endpoint, field_key, document_set, quotes)
    SELECT $1, $2, field_key, $4, quotes FROM fresh
    ON CONFLICT DO NOTHING
    RETURNING field_key, quotes
  )
  SELECT field_key, quotes FROM existing UNION ALL SELECT field_key, quotes FROM inserted`;

export const postgresFieldMemory: PgModule<FieldMemoryStore> = {
  name: 'field-memory',
  migrations: [
    `
    -- seq: from field_quote_seq, so quotes remembered by any worker, in the same millisecond or not, have one order.
    CREATE SEQUENCE field_quote_seq;
    CREATE TABLE field_quotes (
      template_id text NOT NULL,
      endpoint text NOT NULL,
      field_key text NOT NULL,
      quote text NOT NULL,
      document_id text NOT NULL,
      seq bigint NOT NULL,
      PRIMARY KEY (template_id, endpoint, field_key, quote)
    );
    CREATE INDEX field_quotes_newest ON field_quotes (template_id, endpoint, field_key, seq DESC);
    CREATE TABLE field_quote_choices (
      template_id text NOT NULL,
      endpoint text NOT NULL,
      field_key text NOT NULL,
      document_set text NOT NULL,
      quotes json NOT NULL,
      PRIMARY KEY (template_id, endpoint, field_key, document_set)
    );
    `,
  ],
  create(db) {
    return {
      async rememberQuotes({ templateId, endpoint }, quotes) {
        if (quotes.length === 0) return;
        const kept = lastOfEach(quotes);
        await db.tx(async (q) => {
          // Numbers drawn in one statement come out ascending; the later a quote in the list, the newer it is.
          const seqs = (await q.query<{ seq: number }>("SELECT nextval('field_quote_seq') AS seq FROM generate_series(1, $1)", [kept.length]))
            .map((r) => r.seq)
            .sort((a, b) => a - b);
          await q.query(
            `INSERT INTO field_quotes (template_id, endpoint, field_key, quote, document_id, seq)
             SELECT $1, $2, field_key, quote, document_id, seq FROM unnest($3::text[], $4::text[], $5::text[], $6::bigint[]) AS v(field_key, quote, document_id, seq)
             ON CONFLICT (template_id, endpoint, field_key, quote) DO UPDATE SET document_id = excluded.document_id, seq = excluded.seq`,
            [templateId, endpoint, kept.map((k) => k.fieldKey), kept.map((k) => k.quote), kept.map((k) => k.documentId), seqs],
          );
          await q.query(
            `DELETE FROM field_quotes f USING (
               SELECT field_key, quote, row_number() OVER (PARTITION BY field_key ORDER BY seq DESC) AS rank
               FROM field_quotes WHERE template_id = $1 AND endpoint = $2 AND field_key = ANY($3::text[])
             ) AS ranked
             WHERE f.template_id = $1 AND f.endpoint = $2 AND f.field_key = ranked.field_key AND f.quote = ranked.quote AND ranked.rank > $4`,
            [templateId, endpoint, [...new Set(kept.map((k) => k.fieldKey))], QUOTES_KEPT_PER_FIELD],
          );
        });
      },
      async recallQuotes({ templateId, endpoint }, fieldKeys, documentIds, perField) {
        if (!Number.isInteger(perField) || perField < 0) throw new RangeError(`perField must be a non-negative integer, got ${perField}`);
        const wanted = [...new Set(fieldKeys)];
        const out: Record<string, string[]> = {};
        if (wanted.length === 0) return out;
        const set = documentSetKey(documentIds);
        // Each scope fixes its own recall: the same documents filled under another endpoint get a first recall of their own.
        for (let attempt = 0; attempt < 5 && wanted.some((k) => !(k in out)); attempt++) {
          const missing = wanted.filter((k) => !(k in out));
          const rows = await db.query<{ field_key: string; quotes: string[] }>(RECALL, [templateId, endpoint, missing, set, documentIds, perField]);
          for (const row of rows) out[row.field_key] = row.quotes;
        }
        const lost = wanted.filter((k) => !(k in out));
        if (lost.length > 0) throw new Error(`field memory: could not fix the recall of ${lost.join(', ')} for template "${templateId}"`);
        // In the order asked, as the SQLite store returns them.
        return Object.fromEntries(wanted.map((k) => [k, out[k]!]));
      },
    };
  },
};
