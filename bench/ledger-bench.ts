/** `npm run bench:ledger [-- --processes 4] [-- --per-process 2500] [-- --profile aggressive] [-- --tokens 2000]`:
 * how long the quota ledger's reservation takes when several processes reserve from one bucket at once (the
 * Gemini workers of a cluster sharing one API key and model), on each store: SQLite (one file, every process's
 * `BEGIN IMMEDIATE` taking turns) and Postgres (the bucket's row lock). Each process opens the store, waits until
 * all have, then calls `quotaReserve` (the call the Gemini activity makes before every request) back to back and
 * times each call. The profile's limits are the ledger's: with `aggressive` (1,000 requests a minute) the first
 * 1,000 are granted and the rest refused with a wait, each after reading a full window, as a busy cluster's are.
 * Prints p50, p99 and max per store (a reservation that throws is timed to its failure and counted as failed), and the
 * reservations per second all processes together got through. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PROFILES, type ProfileName } from '../src/config.js';
import { quotaLimitsOf } from '../src/core/quota-limits.js';
import { openStoreReady } from '../src/store/open-store.js';
import { benchSchema } from './cluster-postgres.js';

const { values: args } = parseArgs({
  options: {
    processes: { type: 'string', default: '4' },
    'per-process': { type: 'string', default: '2500' },
    profile: { type: 'string', default: 'aggressive' },
    tokens: { type: 'string', default: '2000' },
    // Internal: run as one of the reserving processes, on this store location.
    child: { type: 'string' },
  },
});
const PER_PROCESS = Number(args['per-process']);
const PROCESSES = Number(args.processes);
const TOKENS = Number(args.tokens);
if (!(args.profile! in PROFILES)) throw new Error(`--profile must be one of ${Object.keys(PROFILES).join(', ')}`);
const LIMITS = quotaLimitsOf(PROFILES[args.profile as ProfileName]);
const BUCKET = { keyId: 'bench-ledger-key', model: 'gemini-3.5-flash' };

interface ChildReport {
  latenciesMs: number[];
  granted: number;
  /** Reservations that threw (SQLite: SQLITE_BUSY after the busy timeout), with the first message. */
  failed: number;
  firstError?: string;
}

/** One reserving process: open, say so, wait for "go" on stdin, reserve PER_PROCESS times, print the timings. */
async function child(location: string): Promise<void> {
  const store = await openStoreReady({ dbPath: location });
  const lines = createInterface({ input: process.stdin });
  const go = new Promise<void>((done) => lines.on('line', (l) => l.trim() === 'go' && done()));
  process.stdout.write('opened\n');
  await go;
  lines.close();
  const report: ChildReport = { latenciesMs: [], granted: 0, failed: 0 };
  for (let i = 0; i < PER_PROCESS; i++) {
    const t = performance.now();
    try {
      if ((await store.quotaReserve(BUCKET, LIMITS, TOKENS)).ok) report.granted++;
    } catch (err) {
      // Counted, not fatal: how often the store gives up under this load is one of the figures.
      report.failed++;
      report.firstError ??= (err as Error).message;
    }
    report.latenciesMs.push(performance.now() - t);
  }
  await store.close();
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

/** Starts the processes on `location`, lets them go together once all are open, and collects their reports. */
async function race(location: string): Promise<{ reports: ChildReport[]; wallMs: number }> {
  const script = fileURLToPath(import.meta.url);
  const passOn = ['--per-process', String(PER_PROCESS), '--profile', args.profile!, '--tokens', String(TOKENS)];
  const opened: Promise<void>[] = [];
  const children = Array.from({ length: PROCESSES }, () => spawn(process.execPath, ['--import', 'tsx', script, '--child', location, ...passOn], { stdio: ['pipe', 'pipe', 'inherit'] }));
  const finished = children.map((c) => {
    let out = '';
    let signalOpened: () => void = () => undefined;
    opened.push(new Promise<void>((done) => (signalOpened = done)));
    c.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.startsWith('opened\n')) signalOpened();
    });
    return new Promise<ChildReport>((done, fail) =>
      c.on('exit', (code) => (code === 0 ? done(JSON.parse(out.slice('opened\n'.length)) as ChildReport) : fail(new Error(`a reserving process exited ${code}`)))),
    );
  });
  await Promise.race([Promise.all(opened), Promise.all(finished)]);
  const t0 = performance.now();
  for (const c of children) c.stdin!.end('go\n');
  const reports = await Promise.all(finished);
  return { reports, wallMs: performance.now() - t0 };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Row {
  store: string;
  reservations: number;
  granted: number;
  failed: number;
  firstError?: string;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  perSecond: number;
}

async function measure(store: string, location: string): Promise<Row> {
  // Migrated before the clock starts: the first process to open an empty store would otherwise pay for it.
  await (await openStoreReady({ dbPath: location })).close();
  const { reports, wallMs } = await race(location);
  const all = reports.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  return {
    store,
    reservations: all.length,
    granted: reports.reduce((s, r) => s + r.granted, 0),
    failed: reports.reduce((s, r) => s + r.failed, 0),
    ...(reports.find((r) => r.firstError) ? { firstError: reports.find((r) => r.firstError)!.firstError! } : {}),
    p50Ms: percentile(all, 50),
    p99Ms: percentile(all, 99),
    maxMs: all.at(-1)!,
    perSecond: (all.length / wallMs) * 1000,
  };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'fillflow-ledger-bench-'));
  try {
    rows.push(await measure('sqlite (one file)', join(dir, 'ledger.db')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const schema = await benchSchema('ledger');
  try {
    rows.push(await measure('postgres', schema.url));
  } finally {
    await schema.drop();
  }
  const ms = (n: number) => n.toFixed(2).padStart(8);
  console.log(
    `\n${PROCESSES} processes × ${PER_PROCESS} reservations on one bucket, ${args.profile} limits ` +
      `(${LIMITS.requestsPerMinute} requests, ${LIMITS.tokensPerMinute} tokens a minute), ${TOKENS} tokens each`,
  );
  console.log('store               reservations  granted  failed   p50 ms   p99 ms   max ms  reservations/s');
  for (const r of rows) {
    console.log(
      `${r.store.padEnd(19)} ${String(r.reservations).padStart(12)} ${String(r.granted).padStart(8)} ${String(r.failed).padStart(7)} ${ms(r.p50Ms)} ${ms(r.p99Ms)} ${ms(r.maxMs)} ${r.perSecond.toFixed(0).padStart(15)}`,
    );
  }
  for (const r of rows) if (r.firstError) console.log(`${r.store}: ${r.failed} failed, the first with: ${r.firstError}`);
  console.log(JSON.stringify({ processes: PROCESSES, perProcess: PER_PROCESS, profile: args.profile, tokens: TOKENS, rows }));
}

if (args.child !== undefined) await child(args.child);
else await main();
