/** @module A child process for the quota-ledger tests: tries many reservations against a shared SQLite file
 * at one fixed instant, and prints how many the ledger granted. */
import { openSqliteStore } from '../../../src/store/sqlite-store.js';

// argv: dbPath attempts tokens now
const [dbPath, attemptsArg, tokensArg, nowArg] = process.argv.slice(2);
if (dbPath === undefined || attemptsArg === undefined || tokensArg === undefined || nowArg === undefined) {
  throw new Error('usage: quota-reserver DB_PATH ATTEMPTS TOKENS NOW_MS');
}
const store = openSqliteStore(dbPath);
process.stdout.write('opened\n');
const limits = { requestsPerMinute: 20, tokensPerMinute: 1_000, requestsPerDay: 1_000, minIntervalMs: 0 };
let granted = 0;
for (let i = 0; i < Number(attemptsArg); i++) {
  const r = await store.quotaReserve({ keyId: 'k1', model: 'm' }, limits, Number(tokensArg), Number(nowArg));
  if (r.ok) granted++;
  // Yield, so the two processes interleave rather than one taking every slot in one burst.
  await new Promise((r) => setTimeout(r, 1));
}
await store.close();
process.stdout.write(`granted ${granted}\n`);
