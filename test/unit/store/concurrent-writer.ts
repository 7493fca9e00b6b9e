/** @module A child process for the store tests: writes documents and usage events to a shared SQLite file. */
import { openSqliteStore } from '../../../src/store/sqlite-store.js';

// argv: dbPath label count. The document named "shared" is written by every writer, to race the dedup.
const [dbPath, label, countArg] = process.argv.slice(2);
if (dbPath === undefined || label === undefined || countArg === undefined) {
  throw new Error('usage: concurrent-writer DB_PATH LABEL COUNT');
}
const store = openSqliteStore(dbPath);
// Tells the test this writer is about to write, so it holds its lock while both really are waiting.
process.stdout.write('opened\n');
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
