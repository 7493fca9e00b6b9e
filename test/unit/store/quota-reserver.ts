/** @module A child process for the quota-ledger tests: opens the store at a location (a SQLite file or a Postgres
 * URL), says so, waits for "go" on stdin, tries many reservations, and prints how many the ledger granted. */
import { createInterface } from 'node:readline';
import { openStoreReady } from '../../../src/store/open-store.js';

// argv: location attempts tokens now ("db": the store's own clock) [requests per minute, default 20]
const [location, attemptsArg, tokensArg, nowArg, rpmArg] = process.argv.slice(2);
if (location === undefined || attemptsArg === undefined || tokensArg === undefined || nowArg === undefined) {
  throw new Error('usage: quota-reserver LOCATION ATTEMPTS TOKENS NOW_MS|db');
}
const store = await openStoreReady({ dbPath: location });
const lines = createInterface({ input: process.stdin });
const go = new Promise<void>((resolve) => lines.on('line', (line) => line.trim() === 'go' && resolve()));
process.stdout.write('opened\n');
await go;
lines.close();
// 20 a minute and 1,000 tokens unless a request limit is given (then tokens and the day do not bind).
const limits =
  rpmArg === undefined
    ? { requestsPerMinute: 20, tokensPerMinute: 1_000, requestsPerDay: 1_000, minIntervalMs: 0 }
    : { requestsPerMinute: Number(rpmArg), tokensPerMinute: 1_000_000, requestsPerDay: 1_000_000, minIntervalMs: 0 };
const now = nowArg === 'db' ? undefined : Number(nowArg);
let granted = 0;
for (let i = 0; i < Number(attemptsArg); i++) {
  const r = await store.quotaReserve({ keyId: 'k1', model: 'm' }, limits, Number(tokensArg), now);
  if (r.ok) granted++;
  // Yield, so the two processes interleave rather than one taking every slot in one burst.
  await new Promise((r) => setTimeout(r, 1));
}
await store.close();
process.stdout.write(`granted ${granted}\n`);
