/** @module A non-secret identity for an API key: the ledger's bucket key and the fairness key. */
import { createHash } from 'node:crypto';

/** The first 16 hex digits of sha256(key): stable, short, and useless for calling Gemini. */
export function apiKeyIdentity(apiKey: string | undefined): string {
  if (!apiKey) return 'no-key';
  return createHash('sha256').update(apiKey).digest('hex').slice(0, 16);
}
