/** @module The SQLite implementation of the field memory part of the store. */
import { createHash } from 'node:crypto';
import type { FieldMemoryStore } from './field-memory-store.js';
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
  ],
  create(db) {
    // A counter, not a clock: quotes remembered in the same millisecond still have an order.
    const nextSeq = db.prepare<[], { seq: number }>('SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM field_quotes');
    const upsert = db.prepare(
      `INSERT INTO field_quotes (template_id, field_key, quote, document_id, seq) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (template_id, field_key, quote) DO UPDATE SET document_id = excluded.document_id, seq = excluded.seq`,
    );
    const prune = db.prepare(
      `DELETE FROM field_quotes WHERE template_id = ? AND field_key = ? AND quote NOT IN (
         SELECT quote FROM field_quotes WHERE template_id = ? AND field_key = ? ORDER BY seq DESC LIMIT ?)`,
    );
    const choice = db.prepare<[string, string, string], { quotes: string }>(
      'SELECT quotes FROM field_quote_choices WHERE template_id = ? AND field_key = ? AND document_set = ?',
    );
    const saveChoice = db.prepare('INSERT OR IGNORE INTO field_quote_choices (template_id, field_key, document_set, quotes) VALUES (?, ?, ?, ?)');
    const newest = db.prepare<[string, string, string, number], { quote: string }>(
      `SELECT quote FROM field_quotes WHERE template_id = ? AND field_key = ?
         AND document_id NOT IN (SELECT value FROM json_each(?)) ORDER BY seq DESC LIMIT ?`,
    );

    const remember = db.transaction((templateId: string, quotes: Parameters<FieldMemoryStore['rememberQuotes']>[1]) => {
      let seq = nextSeq.get()!.seq;
      const touched = new Set<string>();
      for (const q of quotes) {
        upsert.run(templateId, q.fieldKey, q.quote, q.documentId, seq++);
        touched.add(q.fieldKey);
      }
      for (const key of touched) prune.run(templateId, key, templateId, key, QUOTES_KEPT_PER_FIELD);
    });

    const recall = db.transaction((templateId: string, fieldKeys: string[], documentIds: string[], perField: number) => {
      const set = documentSetKey(documentIds);
      const docs = JSON.stringify(documentIds);
      const out: Record<string, string[]> = {};
      for (const key of new Set(fieldKeys)) {
        const fixed = choice.get(templateId, key, set);
        if (fixed) {
          out[key] = JSON.parse(fixed.quotes) as string[];
          continue;
        }
        const quotes = newest.all(templateId, key, docs, perField).map((r) => r.quote);
        saveChoice.run(templateId, key, set, JSON.stringify(quotes));
        out[key] = quotes;
      }
      return out;
    });

    return {
      async rememberQuotes(templateId, quotes) {
        if (quotes.length > 0) remember.immediate(templateId, quotes);
      },
      async recallQuotes(templateId, fieldKeys, documentIds, perField) {
        if (!Number.isInteger(perField) || perField < 0) throw new RangeError(`perField must be a non-negative integer, got ${perField}`);
        return recall.immediate(templateId, fieldKeys, documentIds, perField);
      },
    };
  },
};
