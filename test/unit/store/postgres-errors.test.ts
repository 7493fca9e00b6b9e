/** @module Which Postgres failures are retried: as many "no" cases as "yes". */
import { describe, expect, it } from 'vitest';
import { classifyPgError, isRetryablePgError, type PgFailureKind } from '../../../src/store/postgres/postgres-errors.js';

const sql = (code: string, message = 'x') => Object.assign(new Error(message), { code });
const socket = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, errno: -111, syscall: 'connect' });

describe('classifyPgError', () => {
  it.each<[string, unknown, PgFailureKind]>([
    ['connection refused', socket('ECONNREFUSED'), 'connection'],
    ['connection reset', socket('ECONNRESET'), 'connection'],
    ['broken pipe', socket('EPIPE'), 'connection'],
    ['socket timeout', socket('ETIMEDOUT'), 'connection'],
    ['DNS try again', socket('EAI_AGAIN'), 'connection'],
    ['driver: connection terminated', new Error('Connection terminated unexpectedly'), 'connection'],
    ['driver: terminated by timeout', new Error('Connection terminated due to connection timeout'), 'connection'],
    ['driver: client not queryable', new Error('Client has encountered a connection error and is not queryable'), 'connection'],
    ['pool: connect timeout', new Error('timeout exceeded when trying to connect'), 'connection'],
    ['SQLSTATE 08006 connection failure', sql('08006'), 'connection'],
    ['SQLSTATE 08001 cannot establish', sql('08001'), 'connection'],
    ['admin shutdown (terminated, restart)', sql('57P01', 'terminating connection due to administrator command'), 'connection'],
    ['crash shutdown', sql('57P02'), 'connection'],
    ['server starting up', sql('57P03', 'the database system is starting up'), 'unavailable'],
    ['too many connections', sql('53300'), 'unavailable'],
    ['serialization failure', sql('40001'), 'conflict'],
    ['deadlock', sql('40P01'), 'conflict'],
  ])('retries %s', (_name, err, kind) => {
    expect(classifyPgError(err)).toBe(kind);
    expect(isRetryablePgError(err)).toBe(true);
  });

  it.each<[string, unknown]>([
    ['unique violation', sql('23505', 'duplicate key value violates unique constraint')],
    ['syntax error', sql('42601')],
    ['undefined table', sql('42P01')],
    ['permission denied', sql('42501')],
    ['query cancelled (statement timeout)', sql('57014')],
    ['out of disk', sql('53100')],
    ['bad password', sql('28P01', 'password authentication failed')],
    ['unknown database', sql('3D000')],
    ['a server message that mentions a lost connection', sql('P0001', 'Connection terminated unexpectedly')],
    ['host not found (a typo, not a blip)', socket('ENOTFOUND')],
    ['file not found', socket('ENOENT')],
    ['a plain error', new Error('boom')],
    ['a string', 'Connection terminated'],
    ['null', null],
    ['undefined', undefined],
  ])('does not retry %s', (_name, err) => {
    expect(classifyPgError(err)).toBe('permanent');
    expect(isRetryablePgError(err)).toBe(false);
  });
});
