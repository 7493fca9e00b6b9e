/** @module The SQLite implementation of the answer cache part of the store: Gemini answers by request key.
 * The key is the caller's to build, and must name the endpoint and model as well as the request: the cache
 * serves whatever the key matches.
 * Its table is the baseline's (see sqlite-store.ts). */
import type { SqliteModule } from './sqlite-modules.js';
import type { Store } from './store.js';

type AnswerCacheStore = Pick<Store, 'cacheGet' | 'cachePut' | 'cacheSize'>;

interface CacheRow {
  text: string;
  prompt_tokens: number;
  output_tokens: number;
  finish_reason: string;
}

export const sqliteCache: SqliteModule<AnswerCacheStore> = {
  name: 'answer-cache',
  // The table is the baseline's; changes to it go here.
  migrations: [],
  create(db) {
    const sql = {
      get: db.prepare<[string], CacheRow>(
        'SELECT text, prompt_tokens, output_tokens, finish_reason FROM answer_cache WHERE key = ?',
      ),
      put: db.prepare<[string, string, number, number, string, string]>(
        `INSERT OR REPLACE INTO answer_cache (key, text, prompt_tokens, output_tokens, finish_reason, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      size: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM answer_cache'),
    };
    return {
      async cacheGet(key) {
        const row = sql.get.get(key);
        if (!row) return undefined;
        return {
          text: row.text,
          promptTokens: row.prompt_tokens,
          outputTokens: row.output_tokens,
          finishReason: row.finish_reason,
        };
      },
      async cachePut(key, answer) {
        sql.put.run(key, answer.text, answer.promptTokens, answer.outputTokens, answer.finishReason, new Date().toISOString());
      },
      async cacheSize() {
        return sql.size.get()?.n ?? 0;
      },
    };
  },
};
