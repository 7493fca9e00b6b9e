/** @module A pool of Postgres connections that outlives losing them: a statement or transaction that meets a
 * lost, refused or restarting server is run again on a fresh connection, with backoff, for a bounded time,
 * instead of failing the activity (or crashing the worker, as an unhandled pool error would). */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { PoolClient, QueryResultRow } from 'pg';
import { CommitOutcomeUnknownError, classifyPgError, isRetryablePgError } from './postgres-errors.js';

/** Runs one statement; what a part's methods and migrations are given. */
export interface PgQueryable {
  query<R extends QueryResultRow = QueryResultRow>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

/** How long to keep trying after a lost connection. */
export interface PgRetryOptions {
  /** Give up once this long has passed since the first failure. @default 30_000 (a failover's length) */
  retryForMs?: number;
  /** The first pause; each next one doubles, with jitter. @default 100 */
  baseDelayMs?: number;
  /** The longest pause. @default 2_000 */
  maxDelayMs?: number;
}

export interface PgDbOptions extends PgRetryOptions {
  /** A postgres:// URL (options such as `?options=-c search_path=…` pass through to the server). */
  url: string;
  /** Most connections this process holds. @default 10 */
  poolSize?: number;
  /** Where a lost idle connection or a retry is reported. @default console.warn */
  log?: (line: string) => void;
}

/**
 * bigint (int8) arrives as a string by default, since it may exceed 2^53. Everything this store keeps in one
 * (ids, counts, milliseconds since the epoch) is far below that, so it is read as a number.
 */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export class PgDb implements PgQueryable {
  readonly pool: pg.Pool;
  private readonly retryForMs: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly log: (line: string) => void;
  private closed = false;

  constructor(opts: PgDbOptions) {
    this.retryForMs = opts.retryForMs ?? 30_000;
    this.baseDelayMs = opts.baseDelayMs ?? 100;
    this.maxDelayMs = opts.maxDelayMs ?? 2_000;
    this.log = opts.log ?? ((line) => console.warn(line));
    this.pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.poolSize ?? 10,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      application_name: 'fillflow',
      types,
    });
    // An idle connection the server drops (a restart, a failover, an idle timeout) is reported here. Without a
    // listener Node treats it as an unhandled 'error' event and ends the process; the pool has already
    // discarded the connection, and the next statement opens a new one.
    this.pool.on('error', (err) => this.log(`fillflow: an idle Postgres connection was lost (${err.message}); the next statement reconnects`));
  }

  /** Runs one statement in its own transaction, again on a fresh connection if the connection fails. Statements
   * given here must be safe to run twice (reads, upserts, inserts keyed by the caller). */
  async query<R extends QueryResultRow = QueryResultRow>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    return this.retrying(async () => (await this.pool.query<R>(sql, params as unknown[])).rows);
  }

  /**
   * Runs `fn` in one transaction on one connection. A failure before COMMIT rolls it back and, when the
   * connection was lost or the transaction lost a race, runs `fn` again from the start; a connection lost
   * during COMMIT throws {@link CommitOutcomeUnknownError}, since running it again could apply it twice.
   */
  async tx<T>(fn: (q: PgQueryable) => Promise<T>): Promise<T> {
    return this.retrying(async () => {
      const client = await this.pool.connect();
      let failure: unknown;
      let committing = false;
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        committing = true;
        await client.query('COMMIT');
        return result;
      } catch (err) {
        failure = err;
        if (!committing) await client.query('ROLLBACK').catch(() => undefined);
        if (committing && classifyPgError(err) === 'connection') throw new CommitOutcomeUnknownError(err);
        throw err;
      } finally {
        // A connection that failed is discarded, not handed to the next caller.
        client.release(failure !== undefined && classifyPgError(failure) === 'connection' ? (failure as Error) : undefined);
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async retrying<T>(attempt: () => Promise<T>): Promise<T> {
    let firstFailureAt: number | undefined;
    for (let n = 0; ; n++) {
      try {
        return await attempt();
      } catch (err) {
        firstFailureAt ??= Date.now();
        if (this.closed || !isRetryablePgError(err) || Date.now() - firstFailureAt >= this.retryForMs) throw err;
        // Full jitter: workers that lost the same server do not all come back at the same instant.
        const cap = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** n);
        const delay = Math.min(cap / 2 + Math.random() * (cap / 2), Math.max(0, firstFailureAt + this.retryForMs - Date.now()));
        if (n === 0) this.log(`fillflow: Postgres ${classifyPgError(err)} failure (${(err as Error).message}); retrying`);
        await sleep(delay);
      }
    }
  }
}

function wrap(client: PoolClient): PgQueryable {
  return {
    async query<R extends QueryResultRow = QueryResultRow>(sql: string, params: readonly unknown[] = []) {
      return (await client.query<R>(sql, params as unknown[])).rows;
    },
  };
}
