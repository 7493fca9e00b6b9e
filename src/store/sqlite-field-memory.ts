/** @module The SQLite implementation of the field memory part of the store: quotes kept per template and
 * endpoint, and the recall each set of documents was first given. */
import { createHash } from 'node:crypto';
import type { FieldMemoryStore, MemoryScope, RememberedQuote } from './field-memory-store.js';
import { QUOTES_KEPT_PER_FIELD } from './field-memory-store.js';
import type { SqliteModule } from './sqlite-modules.js';

/** One key for a set of documents, whatever order they are given in. */
function documentSetKey(documentIds: string[]): string {
  return createHash('sha256').update(JSON.stringify([...new Set(documentIds)].sort())).digest('hex');
}

export const sqliteFieldMemory: SqliteModule<FieldMemoryStore> = {
  name: 'field-memory',
  migrations: [
    `
    CREATE TABLE field_quotes (
      template_id TEXT NOT NULL,
      field_key TEXT NOT NULL,
      quote TEXT NOT NULL,
      document_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      PRIMARY KEY (template_id, field_key, quote)
    );
    CREATE INDEX field_quotes_newest ON field_quotes (template_id, field_key, seq DESC);
    CREATE TABLE field_quote_choices (
      template_id TEXT NOT NULL,
      field_key TEXT NOT NULL,
      document_set TEXT NOT NULL,
      quotes TEXT NOT NULL,
      PRIMARY KEY (template_id, field_key, document_set)
    );
    `,
    // Memory is kept per endpoint as well (MemoryScope). Which endpoint's answers proved the quotes kept so far
    // was never recorded, and calling them Google's could let an emulator's answers (a demo's, a test's) steer
    // fills answered by Google. So memory starts again, relearnt from the next fills; the fixed recalls go
    // with it, since they were drawn from those quotes.
    `
    DROP TABLE field_quote_choices;
    DROP TABLE field_quotes;
    CREATE TABLE field_quotes (
      template_id TEXT NOT NULL,
      endpoint TEXT NOT NULL,
      field_key TEXT NOT NULL,
      quote TEXT NOT NULL,
      document_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      PRIMARY KEY (template_id, endpoint, field_key, quote)
    );
    CREATE INDEX field_quotes_newest ON field_quotes (template_id, endpoint, field_key, seq DESC);
    CREATE TABLE field_quote_choices (
      template_id TEXT NOT NULL,
      endpoint TEXT NOT NULL,
      field_key TEXT NOT NULL,
      document_set TEXT NOT NULL,
      quotes TEXT NOT NULL,
      PRIMARY KEY (template_id, endpoint, field_key, document_set)
    );
    `,
  ],
  create(db) {
    // A counter, not a clock: quotes remembered in the same millisecond still have an order.
    const nextSeq = db.prepare<[], { seq: number }>('SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM field_quotes');
    const upsert = db.prepare<[string, string, string, string, string, number]>(
      `INSERT INTO field_quotes (template_id, endpoint, field_key, quote, document_id, seq) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (template_id, endpoint, field_key, quote) DO UPDATE SET document_id = excluded.document_id, seq = excluded.seq`,
    );
    const prune = db.prepare<[string, string, string, string, string, string, number]>(
      `DELETE FROM field_quotes WHERE template_id = ? AND endpoint = ? AND field_key = ? AND quote NOT IN (
         SELECT quote FROM field_quotes WHERE template_id = ? AND endpoint = ? AND field_key = ? ORDER BY seq DESC LIMIT ?)`,
    );
    const choice = db.prepare<[string, string, string, string], { quotes: string }>(
      'SELECT quotes FROM field_quote_choices WHERE template_id = ? AND endpoint = ? AND field_key = ? AND document_set = ?',
    );
    const saveChoice = db.prepare<[string, string, string, string, string]>(
      'INSERT OR IGNORE INTO field_quote_choices (template_id, endpoint, field_key, document_set, quotes) VALUES (?, ?, ?, ?, ?)',
    );
    const newest = db.prepare<[string, string, string, string, number], { quote: string }>(
      `SELECT quote FROM field_quotes WHERE template_id = ? AND endpoint = ? AND field_key = ?
         AND document_id NOT IN (SELECT value FROM json_each(?)) ORDER BY seq DESC LIMIT ?`,
    );

    const remember = db.transaction(({ templateId, endpoint }: MemoryScope, quotes: RememberedQuote[]) => {
      let seq = nextSeq.get()!.seq;
      const touched = new Set<string>();
      for (const q of quotes) {
        upsert.run(templateId, endpoint, q.fieldKey, q.quote, q.documentId, seq++);
        touched.add(q.fieldKey);
      }
      for (const key of touched) prune.run(templateId, endpoint, key, templateId, endpoint, key, QUOTES_KEPT_PER_FIELD);
    });

    // Each scope fixes its own recall: a set of documents filled under one endpoint and then another gets a
    // first recall under each, drawn from that endpoint's quotes alone.
    const recall = db.transaction(({ templateId, endpoint }: MemoryScope, fieldKeys: string[], documentIds: string[], perField: number) => {
      const set = documentSetKey(documentIds);
      const docs = JSON.stringify(documentIds);
      const out: Record<string, string[]> = {};
      for (const key of new Set(fieldKeys)) {
        const fixed = choice.get(templateId, endpoint, key, set);
        if (fixed) {
          out[key] = JSON.parse(fixed.quotes) as string[];
          continue;
        }
        const quotes = newest.all(templateId, endpoint, key, docs, perField).map((r) => r.quote);
        saveChoice.run(templateId, endpoint, key, set, JSON.stringify(quotes));
        out[key] = quotes;
      }
      return out;
    });

    return {
      async rememberQuotes(scope, quotes) {
        if (quotes.length > 0) remember.immediate(scope, quotes);
      },
      async recallQuotes(scope, fieldKeys, documentIds, perField) {
        if (!Number.isInteger(perField) || perField < 0) throw new RangeError(`perField must be a non-negative integer, got ${perField}`);
        return recall.immediate(scope, fieldKeys, documentIds, perField);
      },
    };
  },
};
