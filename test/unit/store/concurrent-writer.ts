/** @module A child process for the store tests: opens the store at a location (a SQLite file or a Postgres URL),
 * says so, waits for "go" on stdin, and writes documents and usage events. */
import { createInterface } from 'node:readline';
import { openStoreReady } from '../../../src/store/open-store.js';

// argv: location label count. The document named "shared" is written by every writer, to race the dedup.
const [location, label, countArg] = process.argv.slice(2);
if (location === undefined || label === undefined || countArg === undefined) {
  throw new Error('usage: concurrent-writer LOCATION LABEL COUNT');
}
const store = await openStoreReady({ dbPath: location });
const lines = createInterface({ input: process.stdin });
const go = new Promise<void>((resolve) => lines.on('line', (line) => line.trim() === 'go' && resolve()));
// Tells the test this writer is about to write, so it can start every writer at the same moment.
process.stdout.write('opened\n');
await go;
lines.close();
const shared = 'The shared document, written by every writer at once.';
await store.putDocument({ name: 'shared', mimeType: 'text/plain', text: shared }, [
  { seq: 0, start: 0, end: shared.length, text: shared, tokens: 15 },
]);
for (let i = 0; i < Number(countArg); i++) {
  const text = `Writer ${label} document ${i}: lighthouse keeper report.`;
  await store.putDocument({ name: `${label}-${i}.txt`, mimeType: 'text/plain', text }, [
    { seq: 0, start: 0, end: text.length, text, tokens: 14 },
  ]);
  await store.recordUsage({ fillId: `fill-${label}`, batchId: `b${i}`, kind: 'api_call', promptTokens: 10, fields: 2 });
}
await store.close();
process.stdout.write('done\n');
