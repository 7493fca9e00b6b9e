/** `npm run demo`: fills the example supplier-onboarding template end to end with `fillflow fill`
 * (a local Temporal dev server, in-process workers, the SQLite store), then prints the result.
 * With GEMINI_API_KEY set it calls Gemini. Without one it runs the Gemini emulator, a test tool that
 * answers from the example's gold table, and says so: its answers are not extraction by a model. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { endpointIdentity, GOOGLE_ENDPOINT, OFFLINE_ANSWERED_BY } from '../src/core/endpoint.js';
import type { FillResult } from '../src/core/types.js';
import { goldAnswers, loadGoldTable, startEmulator } from '../src/emulator/index.js';

const root = resolve(import.meta.dirname, '..');
const example = join(root, 'examples', 'supplier-onboarding');
const out = join(root, '.fillflow', 'demo-result.json');
const offline = process.argv.includes('--offline');
const DEMO_EMULATOR_PORT = 18787;

// The demo keeps its own store, apart from the one `fillflow` uses by default: its documents, cache and
// usage never mix with a user's own fills.
const env: NodeJS.ProcessEnv = { ...process.env, FILLFLOW_DB: join(root, '.fillflow', 'demo.db') };
let emulator: Awaited<ReturnType<typeof startEmulator>> | undefined;
if (offline) {
  delete env.GEMINI_API_KEY;
  console.log('demo: no Gemini at all; the offline extractor (regex and heuristics) fills what it can.');
} else if (!env.GEMINI_API_KEY) {
  // One port from run to run: answers are cached per endpoint (its base URL), so the second run is answered
  // from the cache. Another port only when that one is taken.
  const start = (port: number) => startEmulator({ port, latencyMs: 300, answer: goldAnswers(loadGoldTable(join(example, 'gold.json'))) });
  emulator = await start(DEMO_EMULATOR_PORT).catch(() => start(0));
  env.GEMINI_API_KEY = 'demo-key-for-the-emulator';
  env.GEMINI_BASE_URL = emulator.url;
  console.log(`demo: GEMINI_API_KEY is not set, so Gemini calls go to the emulator at ${emulator.url}.`);
  console.log('      It answers from examples/supplier-onboarding/gold.json: this shows the pipeline, not a model.');
  console.log('      Set GEMINI_API_KEY for real extraction, or run `npm run demo -- --offline` for no Gemini at all.\n');
}

const code = await new Promise<number>((done) => {
  const child = spawn(
    process.execPath,
    [join(root, 'bin', 'fillflow.js'), 'fill', '--template', join(example, 'template.json'), '--docs', join(example, 'docs'), '--out', out],
    { env, stdio: 'inherit' },
  );
  child.on('exit', (c) => done(c ?? 1));
});
await emulator?.close();
if (code !== 0) process.exit(code);

const result = JSON.parse(readFileSync(out, 'utf8')) as FillResult;
console.log('');
for (const f of result.fields) {
  const value = f.value === null ? '—' : typeof f.value === 'object' ? JSON.stringify(f.value) : String(f.value);
  const where = f.sources[0] ? `  ← "${f.sources[0].quote.replace(/\s+/g, ' ').slice(0, 50)}"` : f.reason ? `  (${f.reason})` : '';
  console.log(`${f.key.padEnd(26)} ${f.status.padEnd(9)} ${value.slice(0, 48).padEnd(48)}${where}`);
}
const u = result.usage;
const by = result.answeredBy;
const source =
  by.endpoint === GOOGLE_ENDPOINT
    ? `Gemini (${by.model}, Google's API)`
    : by.endpoint === OFFLINE_ANSWERED_BY.endpoint
      ? 'the offline extractor (no Gemini endpoint answered)'
      : emulator && by.endpoint === endpointIdentity(emulator.url)
        ? `the emulator at ${by.endpoint}: gold values, not a model's extraction`
        : `${by.model} at ${by.endpoint} (not Google's API)`;
console.log(`\nanswered by ${source}`);
console.log(`${u.apiCalls} Gemini call(s) for ${result.fields.length} fields (${u.fieldsPerCall} per call), ${u.cacheHits} cache hit(s); run it again: the cache answers and no call is made.`);
console.log(`result: ${out}`);
