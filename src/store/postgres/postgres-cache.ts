/** @module The Postgres implementation of the answer cache part of the store: Gemini answers by request key.
 * The key is the caller's to build, and must name the endpoint and model as well as the request. */
import type { Store } from '../store.js';
import type { PgModule } from './postgres-modules.js';

type AnswerCacheStore = Pick<Store, 'cacheGet' | 'cachePut' | 'cacheSize'>;

interface CacheRow {
  text: string;
  prompt_tokens: number;
  output_tokens: number;
  finish_reason: string;
}

export const postgresCache: PgModule<AnswerCacheStore> = {
  name: 'answer-cache',
  migrations: [
    `
    CREATE TABLE answer_cache (
      key text PRIMARY KEY,
      text text NOT NULL,
      prompt_tokens integer NOT NULL,
      output_tokens integer NOT NULL,
      finish_reason text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    `,
  ],
  create(db) {
    return {
      async cacheGet(key) {
        const [row] = await db.query<CacheRow>('SELECT text, prompt_tokens, output_tokens, finish_reason FROM answer_cache WHERE key = $1', [key]);
        if (!row) return undefined;
        return { text: row.text, promptTokens: row.prompt_tokens, outputTokens: row.output_tokens, finishReason: row.finish_reason };
      },
      async cachePut(key, answer) {
        await db.query(
          `INSERT INTO answer_cache (key, text, prompt_tokens, output_tokens, finish_reason) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (key) DO UPDATE SET text = excluded.text, prompt_tokens = excluded.prompt_tokens,
             output_tokens = excluded.output_tokens, finish_reason = excluded.finish_reason, created_at = now()`,
          [key, answer.text, answer.promptTokens, answer.outputTokens, answer.finishReason],
        );
      },
      async cacheSize() {
        const [row] = await db.query<{ n: number }>('SELECT count(*) AS n FROM answer_cache');
        return row?.n ?? 0;
      },
    };
  },
};
