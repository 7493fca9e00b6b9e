/** Log hygiene on a real dev server with the real workers and the emulator: every line logged while a fill runs
 * (the Temporal runtime's logger, core's forwarded lines included, console.*, raw writes to stdout and stderr,
 * and what `fillflow fill` prints) is captured, with a known API key and documents carrying marker sentences that
 * answer no field. No line may hold the key or any of that text: not on a clean fill, not when Gemini answers
 * 429 and 500, not with a wrong key or an error body that names the key, and not when an answer that quotes the
 * documents fails to parse. */
import { randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillCommand } from '../../src/cli/fill-command.js';
import { goldAnswers } from '../../src/emulator/index.js';
import { installRuntime } from '../../src/runtime/runtime.js';
import { createWorkers } from '../../src/worker.js';
import { useDevServerRigs } from '../helpers/dev-server-rigs.js';
import { EXAMPLE_DIR, exampleGold, workflowBundle, type Rig } from '../helpers/fill-harness.js';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const letters = (n: number) => Array.from({ length: n }, () => LETTERS[randomInt(LETTERS.length)]).join('');

/** Google's key shape ("AIza" and 35 more), so nothing can tell it from a real one. */
const KEY = `AIza${letters(35)}`;
const WRONG_KEY = `AIza${letters(35)}`;
/** One per document; mixed-case letters, so any 8 of them in a row found in a log line can only have come from here. */
const MARKERS = Array.from({ length: 4 }, () => letters(32));
const remark = (i: number) => `Internal remark ${i}: ${MARKERS[i]} stays between us and answers nothing on the form.`;

// Installed before the dev server creates the runtime, at DEBUG: lines a production worker (WARN) never writes
// are held to the same rule.
const runtimeLines: string[] = [];
installRuntime({
  level: 'DEBUG',
  write: (entry) => runtimeLines.push(`[runtime ${entry.level}] ${entry.message} ${inspect(entry.meta ?? {}, { depth: 10, breakLength: Infinity })}`),
});

const { env, rig: newRig } = useDevServerRigs();
const streamLines: string[] = [];
const restore: (() => void)[] = [];
let docsDir: string;

beforeAll(() => {
  // Everything written to stdout and stderr (the SDK's default log function writes there directly) and every
  // console call (vitest routes console around the streams), recorded and passed on.
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      streamLines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    restore.push(() => (stream.write = write as typeof stream.write));
  }
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    const original = console[method];
    console[method] = (...args: unknown[]) => {
      streamLines.push(args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 10 }))).join(' '));
      original.apply(console, args);
    };
    restore.push(() => (console[method] = original));
  }

  docsDir = mkdtempSync(join(tmpdir(), 'fillflow-log-docs-'));
  const names = readdirSync(join(EXAMPLE_DIR, 'docs')).sort();
  names.forEach((name, i) => writeFileSync(join(docsDir, name), `${readFileSync(join(EXAMPLE_DIR, 'docs', name), 'utf8')}\n\n${remark(i)}\n`));
  writeFileSync(join(docsDir, 'internal-memo.txt'), `Memo.\n\n${remark(names.length)}\n`);
});

afterAll(() => {
  for (const undo of restore.reverse()) undo();
});

interface Outcome {
  code: number;
  cli: string[];
}

/** `fillflow fill` against the dev server, with the rig's workers running meanwhile. */
async function fill(r: Rig, key: string): Promise<Outcome> {
  const workers = await createWorkers({ config: r.config, connection: env().nativeConnection, store: r.store, workflowBundle: await workflowBundle() });
  const running = workers.run();
  const environment: Record<string, string> = {
    TEMPORAL_ADDRESS: env().address,
    FILLFLOW_DB: r.config.dbPath,
    GEMINI_API_KEY: key,
    GEMINI_BASE_URL: r.emulator.url,
    GEMINI_MODEL: r.config.gemini.model,
  };
  const saved = { ...process.env };
  Object.assign(process.env, environment);
  const cli: string[] = [];
  try {
    const code = await fillCommand(
      { template: join(EXAMPLE_DIR, 'template.json'), docs: [docsDir], out: join(r.dir, `result-${Date.now()}.json`) },
      { stdout: (l) => cli.push(l), stderr: (l) => cli.push(l) },
    );
    return { code, cli };
  } finally {
    for (const k of Object.keys(environment)) delete process.env[k];
    Object.assign(process.env, saved);
    workers.shutdown();
    await running;
  }
}

/** Where the captured lines stand, so a test checks the lines of its own fills. */
function mark(): { runtime: number; streams: number } {
  return { runtime: runtimeLines.length, streams: streamLines.length };
}

/**
 * Every line captured since `from` and the CLI's, checked for the keys (whole, or a dozen of their characters)
 * and for any 8-letter run of a marker. Waits first for the runtime logger, which holds lines ~100 ms to order them.
 */
async function expectNoLeak(from: ReturnType<typeof mark>, ...outcomes: Outcome[]): Promise<void> {
  await new Promise((r) => setTimeout(r, 500));
  const lines = [...runtimeLines.slice(from.runtime), ...streamLines.slice(from.streams), ...outcomes.flatMap((o) => o.cli)];
  const secrets = [KEY, WRONG_KEY].flatMap((k) => [k, k.slice(4, 16), k.slice(-12)]);
  const fragments = MARKERS.flatMap((m) => Array.from({ length: m.length - 7 }, (_, i) => m.slice(i, i + 8)));
  for (const line of lines) {
    const secret = secrets.find((s) => line.includes(s));
    expect(secret, `a log line holds the API key: ${line}`).toBeUndefined();
    const fragment = fragments.find((f) => line.includes(f));
    expect(fragment, `a log line holds document text that answers no field: ${line}`).toBeUndefined();
  }
}

/** The markers reached Gemini, so a leak was possible: a clean log is not an empty prompt. */
function expectMarkersSent(r: Rig): void {
  expect(r.emulator.requests.some((q) => MARKERS.some((m) => q.promptText.includes(m)))).toBe(true);
}

describe('log hygiene', () => {
  it('captures console calls and raw writes to the standard streams', () => {
    console.error('log-hygiene: console capture check');
    process.stderr.write('log-hygiene: stderr capture check\n');
    process.stdout.write('log-hygiene: stdout capture check\n');
    for (const what of ['console', 'stderr', 'stdout']) expect(streamLines.some((l) => l.includes(`log-hygiene: ${what} capture check`))).toBe(true);
  });

  it('a completed fill logs neither the key nor document text', async () => {
    const from = mark();
    const r = await newRig({ env: { GEMINI_API_KEY: KEY }, emulator: { apiKeys: [KEY], log: () => undefined } });
    const outcome = await fill(r, KEY);
    expect(outcome.code, outcome.cli.join('\n')).toBe(0);
    expectMarkersSent(r);
    await expectNoLeak(from, outcome);
    expect(runtimeLines.length).toBeGreaterThan(from.runtime);
  });

  it('nor when Gemini answers 429 and 500 and the activities fail and retry', async () => {
    const r = await newRig({ env: { GEMINI_API_KEY: KEY }, emulator: { apiKeys: [KEY], log: () => undefined } });
    r.emulator.inject({ kind: 'rate-limit', quota: 'per-minute', retryDelay: '0.5s' }, { kind: 'status', status: 500 });
    const from = mark();
    const outcome = await fill(r, KEY);
    expect(outcome.code, outcome.cli.join('\n')).toBe(0);
    expect(r.emulator.requests.map((q) => q.status)).toEqual(expect.arrayContaining([429, 500, 200]));
    // The failures were logged (so error logging ran and was captured), and held nothing they should not.
    expectMarkersSent(r);
    await expectNoLeak(from, outcome);
    expect(runtimeLines.slice(from.runtime).filter((l) => l.includes('Activity failed')).length).toBeGreaterThanOrEqual(2);
  });

  it('nor with a wrong key, or when an error body from Google names the key', async () => {
    const from = mark();
    const wrong = await newRig({ env: { GEMINI_API_KEY: WRONG_KEY }, emulator: { apiKeys: [KEY], log: () => undefined } });
    const refused = await fill(wrong, WRONG_KEY);
    expect(wrong.emulator.requests.some((q) => q.status === 400)).toBe(true);

    // Google names the caller's key in some 403s ("Consumer 'api_key:…' has been suspended").
    const suspended = await newRig({ env: { GEMINI_API_KEY: KEY }, emulator: { apiKeys: [KEY], log: () => undefined } });
    suspended.emulator.inject({ kind: 'status', status: 403, message: `Permission denied: Consumer 'api_key:${KEY}' has been suspended.`, count: 50 });
    const outcome = await fill(suspended, KEY);
    expect(suspended.emulator.requests.some((q) => q.status === 403)).toBe(true);
    await expectNoLeak(from, refused, outcome);
    // The refusal was logged, with the key masked.
    expect(runtimeLines.slice(from.runtime).some((l) => /Consumer 'api_key:\[redacted\]' has been suspended/.test(l))).toBe(true);
  });

  it('nor when an answer that quotes the documents is not valid JSON', async () => {
    const gold = goldAnswers(exampleGold());
    let broken = 4;
    // A model that starts quoting a marker sentence where JSON was due: the parser's error would echo it.
    const r = await newRig({
      env: { GEMINI_API_KEY: KEY },
      emulator: {
        apiKeys: [KEY],
        log: () => undefined,
        answer: (req) => (broken-- > 0 ? `{"legal_name": {"value": "x", "quote": ${MARKERS[0]} ${MARKERS[1]}}}` : gold(req)),
      },
    });
    const from = mark();
    const outcome = await fill(r, KEY);
    expect(outcome.code, outcome.cli.join('\n')).toBe(0);
    await expectNoLeak(from, outcome);
    expect(runtimeLines.slice(from.runtime).some((l) => /not valid JSON/.test(l))).toBe(true);
  });
});
