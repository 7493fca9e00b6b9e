/** @module Which Postgres failures are worth another try: a lost or refused connection, a server starting up or
 * shutting down, a serialization failure or deadlock. Pure, so the policy is table-tested on its own. */

/** What a failure means for the statement or transaction that met it. */
export type PgFailureKind =
  /** The connection is gone or could not be made; the server rolled back whatever was open. */
  | 'connection'
  /** The server is there but cannot take the work now (starting, too many connections). */
  | 'unavailable'
  /** The transaction lost a race (serialization failure, deadlock) and was rolled back. */
  | 'conflict'
  /** Anything else: a bug, a constraint, bad input. Retrying would fail the same way. */
  | 'permanent';

/** Node's socket errors that mean the server could not be reached, or the connection broke. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);

/**
 * node-postgres reports a connection that ended, or never finished opening, with a plain Error and these
 * messages (pg/lib/client.js, pg-pool/index.js). Matched only when the error carries no SQLSTATE, so a server
 * message that happens to contain the words never counts.
 */
const DRIVER_MESSAGES = [
  /^Connection terminated/,
  /^Client has encountered a connection error and is not queryable/,
  /^timeout exceeded when trying to connect/,
  /^Client was closed and is not queryable/,
];

/** Classifies an error thrown by node-postgres or the socket beneath it. */
export function classifyPgError(err: unknown): PgFailureKind {
  if (typeof err !== 'object' || err === null) return 'permanent';
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code !== undefined && SOCKET_CODES.has(code)) return 'connection';
  if (code !== undefined && /^[0-9A-Z]{5}$/.test(code)) return classifySqlState(code);
  const message = typeof e.message === 'string' ? e.message : '';
  return DRIVER_MESSAGES.some((re) => re.test(message)) ? 'connection' : 'permanent';
}

/** SQLSTATE classes: https://www.postgresql.org/docs/current/errcodes-appendix.html */
function classifySqlState(code: string): PgFailureKind {
  // Class 08: connection exception (the server closed or refused the session).
  if (code.startsWith('08')) return 'connection';
  // admin_shutdown and crash_shutdown end the session: a restart or failover under way.
  if (code === '57P01' || code === '57P02') return 'connection';
  // cannot_connect_now (still starting, or in recovery) and too_many_connections: the server will take us soon.
  if (code === '57P03' || code === '53300') return 'unavailable';
  // serialization_failure and deadlock_detected: the transaction was rolled back and may simply run again.
  if (code === '40001' || code === '40P01') return 'conflict';
  return 'permanent';
}

/** True for failures that a fresh attempt (on a fresh connection) may get past. */
export function isRetryablePgError(err: unknown): boolean {
  return classifyPgError(err) !== 'permanent';
}

/**
 * Thrown when the connection broke while COMMIT was on its way: the transaction may or may not have
 * committed, so it is not run again (a reservation could be taken twice). The caller's caller (a Temporal
 * activity) decides; the worker itself carries on.
 */
export class CommitOutcomeUnknownError extends Error {
  constructor(cause: unknown) {
    super(`the connection to Postgres was lost while committing; the transaction may or may not have been applied: ${describe(cause)}`, { cause });
    this.name = 'CommitOutcomeUnknownError';
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
