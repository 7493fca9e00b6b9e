/** @module Bearer-token auth for the API when FILLFLOW_API_TOKEN is set: digests of equal length compared
 * in constant time, so neither the token's length nor its prefix leaks through timing. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError } from './api-error.js';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** A checker for `Authorization` headers; `undefined` token means auth is off. */
export function bearerAuth(token: string | undefined): (header: string | undefined) => void {
  if (token === undefined) return () => {};
  const expected = digest(token);
  return (header) => {
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
    if (!m) throw new ApiError(401, 'unauthorized', 'send Authorization: Bearer <token> (FILLFLOW_API_TOKEN is set on this server)');
    if (!timingSafeEqual(digest(m[1]!), expected)) throw new ApiError(401, 'unauthorized', 'the bearer token is not valid');
  };
}
