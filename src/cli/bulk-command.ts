/** @module `fillflow bulk`: check the manifest, store its files, forecast, then run the bulk (standalone or on a
 * cluster) with one progress bar and write DIR/results.jsonl and DIR/summary.json; and `bulk status`, `results`,
 * `cancel` and `resume` for a bulk by its ID. */
import { resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { BulkClient, type BulkState } from '../bulk-client.js';
import { BULK_ROUTES, type BulkRoute } from '../bulk/bulk-records.js';
import { forecastBulk, formatForecast } from '../bulk/forecast.js';
import { formatBulkProgress, formatSummary } from '../bulk/format-bulk.js';
import { ManifestError, readManifest } from '../bulk/manifest.js';
import { priceTable } from '../bulk/price-table.js';
import { writeBulkResults } from '../bulk/results.js';
import { newBulkId, resolveBulkOptions, resolveWindow } from '../bulk/start-bulk.js';
import { storeManifest } from '../bulk/store-manifest.js';
import { FillflowClient } from '../client.js';
import { payloadCodecFromConfig } from '../codec/data-converter.js';
import { ConfigError, loadConfig, type ConfigOverrides, type FillflowConfig } from '../config.js';
import { startLocalStack } from '../runtime/local-stack.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { CliError, ExitCode } from './cli-error.js';
import { limitOverrides, withLimitFlags, type LimitFlagValues } from './limit-flags.js';
import { LOCAL_ADDRESS } from './service-commands.js';

type Io = { stderr: (line: string) => void; stdout: (line: string) => void };

export interface BulkCommandOptions extends LimitFlagValues {
  manifest?: string;
  out?: string;
  window?: string;
  route?: string;
  deadline?: string;
  dryRun?: boolean;
  worker?: boolean;
  json?: boolean;
  onQuotaExhausted?: string;
  maxConcurrentBatches?: string;
}

/** Registers `bulk` and its subcommands on the program. */
export function registerBulkCommand(program: Command, run: (task: Promise<number>) => void, io: Io): void {
  const bulk = withLimitFlags(
    program
      .command('bulk')
      .description('fill many rows (a JSONL manifest of template and documents per row); `bulk status|results|cancel|resume ID`')
      .enablePositionalOptions()
      .option('--manifest <file>', 'JSONL, one row a line: { "row", "template" | "templateId", "docs" | "documentIds" }')
      .option('--out <dir>', 'where results.jsonl and summary.json are written')
      .option('--window <n>', 'rows in flight at once (default: one minute of the quota)')
      .option('--route <route>', 'standard | flex | batch | auto: how rows reach Gemini (flex and batch at half price)', 'standard')
      .option('--deadline <duration>', 'when the bulk should be done, e.g. 12h, 2d, 90m (route auto: batch only when it allows)')
      .option('--dry-run', 'print the forecast (calls, tokens, cost by route, time at the quota) and start nothing')
      .option('--worker', 'with TEMPORAL_ADDRESS: also run a worker in this process')
      .option('--on-quota-exhausted <mode>', "wait | fallback: each row's fill when the daily quota runs out")
      .option('--max-concurrent-batches <n>', "most of one row's batches in flight at once")
      .option('--json', 'print the summary (or, with --dry-run, the forecast) as JSON on stdout'),
  ).action((opts: BulkCommandOptions) => run(bulkCommand(opts, io)));
  bulk
    .command('status')
    .description("a bulk's rows: completed, failed, running, parked, and an ETA")
    .argument('<bulkId>')
    .option('--json', 'print JSON')
    .action((id: string, opts: { json?: boolean }) => run(bulkStatusCommand(id, opts, io)));
  bulk
    .command('results')
    .description("write a bulk's results.jsonl and summary.json now (partial while it runs)")
    .argument('<bulkId>')
    .requiredOption('--out <dir>', 'the folder to write them to')
    .option('--json', 'print the summary as JSON')
    .action((id: string, opts: { out: string; json?: boolean }) => run(bulkResultsCommand(id, opts, io)));
  bulk
    .command('cancel')
    .description('cancel a bulk and its rows in flight; says how many rows had finished')
    .argument('<bulkId>')
    .option('--json', 'print JSON')
    .action((id: string, opts: { json?: boolean }) => run(bulkCancelCommand(id, opts, io)));
  bulk
    .command('resume')
    .description('resume a bulk parked on an exhausted daily quota, and its parked rows, at once')
    .argument('<bulkId>')
    .option('--json', 'print JSON')
    .action((id: string, opts: { json?: boolean }) => run(bulkResumeCommand(id, opts, io)));
}

export async function bulkCommand(opts: BulkCommandOptions, io: Io): Promise<number> {
  if (!opts.manifest) throw new CliError('bulk needs --manifest M.jsonl (or a subcommand: status, results, cancel, resume)');
  if (!opts.out && !opts.dryRun) throw new CliError('bulk needs --out DIR (where results.jsonl and summary.json go)');
  const route = checkRoute(opts.route);
  const window = opts.window === undefined ? undefined : wholeNumber(opts.window, '--window', 1, 500);
  const deadline = opts.deadline === undefined ? undefined : new Date(Date.now() + parseDuration(opts.deadline)).toISOString();
  const config = configFrom({
    ...limitOverrides(opts),
    fill: { onQuotaExhausted: opts.onQuotaExhausted, maxConcurrentBatches: opts.maxConcurrentBatches },
  });

  // Every line, every file and every ID is checked before anything is stored or started.
  const manifestPath = resolve(opts.manifest);
  const manifest = await readManifest(manifestPath).catch(manifestProblem);
  const store = openStore({ dbPath: config.dbPath });
  try {
    const { rows, warnings } = await storeManifest(store, manifestPath, manifest).catch(manifestProblem);
    const options = resolveBulkOptions(config);
    const forecast = await forecastBulk({ store, config }, rows, options, priceTable(config.bulk.prices));
    if (opts.dryRun) {
      io.stderr(`bulk: dry run of ${manifestPath}; nothing is started`);
      for (const w of warnings) io.stderr(`warning: ${w}`);
      if (opts.json) io.stdout(JSON.stringify({ ...forecast, window: resolveWindow(config, { window, rowCost: forecast.perRow }) }));
      else for (const line of formatForecast({ ...forecast, window: resolveWindow(config, { window, rowCost: forecast.perRow }) })) io.stdout(line);
      return ExitCode.ok;
    }

    const bulkId = newBulkId();
    io.stderr(`bulk: ${bulkId}`);
    for (const w of warnings) io.stderr(`warning: ${w}`);
    for (const line of formatForecast({ ...forecast, window: resolveWindow(config, { window, rowCost: forecast.perRow }) })) io.stderr(line);
    if (!config.gemini.apiKey) io.stderr('gemini: GEMINI_API_KEY is not set; the offline extractor (regex and heuristics) fills what it can');

    const standalone = config.temporal.address === undefined;
    const stack = await startLocalStack({ config, store, workers: standalone || opts.worker === true }).catch((err: Error) => {
      throw new CliError(err.message, ExitCode.unavailable);
    });
    io.stderr(standalone ? `temporal: local dev server at ${stack.address} (stopped after the bulk)` : `temporal: ${stack.address}`);
    let state: BulkState;
    const bulks = new BulkClient(stack.client.temporal, { config, store });
    try {
      await bulks.startBulk({
        bulkId,
        rows,
        route,
        rowCost: forecast.perRow,
        meta: { forecast, manifest: manifestPath },
        ...(window !== undefined ? { window } : {}),
        ...(deadline !== undefined ? { deadline } : {}),
      });
      const bar = bulkProgress(io, process.stderr.isTTY === true);
      try {
        // Standalone, a dev server that dies ends the wait at once, saying so, instead of retrying until killed.
        state = await stack.whileServing(bulks.waitForBulk(bulkId, { onProgress: (s) => bar.update(s), pollMs: 1_000 }), `the bulk ${bulkId}`);
      } finally {
        bar.stop();
      }
    } catch (err) {
      io.stderr(`bulk failed: ${(err as Error).message}`);
      return ExitCode.failed;
    } finally {
      await stack.stop();
    }

    const summary = await bulks.summary(bulkId, state.status);
    const written = await writeBulkResults(store, bulkId, opts.out!, summary);
    io.stderr(formatSummary(summary, written.results));
    if (opts.json) io.stdout(JSON.stringify(summary));
    return state.status === 'completed' && summary.completed === summary.rows ? ExitCode.ok : ExitCode.failed;
  } finally {
    await store.close();
  }
}

export function bulkStatusCommand(bulkId: string, opts: { json?: boolean }, io: Io): Promise<number> {
  return withBulk(bulkId, async (bulks) => {
    const state = await bulks.getBulk(bulkId, { countParked: true });
    if (opts.json) io.stdout(JSON.stringify({ ...state, detail: undefined }));
    else io.stdout(`${bulkId}: ${state.status}; ${formatBulkProgress(state)}${state.error ? `; ${state.error}` : ''}`);
    return ExitCode.ok;
  });
}

export function bulkResultsCommand(bulkId: string, opts: { out: string; json?: boolean }, io: Io): Promise<number> {
  return withBulk(bulkId, async (bulks, store) => {
    const { status } = await bulks.getBulk(bulkId);
    const summary = await bulks.summary(bulkId, status);
    const written = await writeBulkResults(store, bulkId, opts.out, summary);
    if (opts.json) io.stdout(JSON.stringify(summary));
    else io.stdout(`${bulkId}: ${status}; ${summary.completed + summary.failed + summary.cancelled} of ${summary.rows} rows in ${written.results}; summary in ${written.summary}`);
    return ExitCode.ok;
  });
}

export function bulkCancelCommand(bulkId: string, opts: { json?: boolean }, io: Io): Promise<number> {
  return withBulk(bulkId, async (bulks) => {
    await requireRunning(bulks, bulkId, 'cancel');
    const state = await bulks.cancel(bulkId);
    const p = state.progress;
    const finished = p.completed + p.failed;
    if (opts.json) io.stdout(JSON.stringify({ bulkId, action: 'cancel', status: state.status, finished, ...p }));
    else io.stdout(`${bulkId}: ${state.status}; ${finished} of ${p.rows} rows finished (${p.completed} completed, ${p.failed} failed), ${p.cancelled} cancelled in flight, ${p.pending} never started`);
    return ExitCode.ok;
  });
}

export function bulkResumeCommand(bulkId: string, opts: { json?: boolean }, io: Io): Promise<number> {
  return withBulk(bulkId, async (bulks) => {
    await requireRunning(bulks, bulkId, 'resume');
    await bulks.resume(bulkId);
    if (opts.json) io.stdout(JSON.stringify({ bulkId, action: 'resume', ok: true }));
    else io.stdout(`${bulkId}: resume signalled (the day reopens and parked rows go on at once)`);
    return ExitCode.ok;
  });
}

async function requireRunning(bulks: BulkClient, bulkId: string, action: string): Promise<void> {
  const { status } = await bulks.getBulk(bulkId);
  if (status !== 'running' && status !== 'paused-quota') throw new CliError(`cannot ${action} bulk "${bulkId}": it is ${status}`, ExitCode.failed);
}

/** Runs `body` with a bulk client on the configured cluster (else `fillflow dev`'s) and the store the workers use. */
async function withBulk<T>(bulkId: string, body: (bulks: BulkClient, store: Store) => Promise<T>): Promise<T> {
  const config = configFrom({});
  const address = config.temporal.address ?? LOCAL_ADDRESS;
  const client = await FillflowClient.connect({ address, namespace: config.temporal.namespace, codec: payloadCodecFromConfig(config) }).catch((err: Error) => {
    throw new CliError(err.message, ExitCode.unavailable);
  });
  const store = openStore({ dbPath: config.dbPath });
  try {
    if (!(await store.getBulk(bulkId))) throw new CliError(`no bulk "${bulkId}" in the store at ${config.dbPath}`);
    return await body(new BulkClient(client.temporal, { config, store }), store).catch((err: Error) => {
      if (err.name === 'WorkflowNotFoundError') throw new CliError(`no bulk "${bulkId}" on ${address}`);
      throw err;
    });
  } finally {
    await store.close();
    await client.close();
  }
}

function configFrom(overrides: ConfigOverrides): Readonly<FillflowConfig> {
  try {
    return loadConfig(process.env, overrides);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
}

function manifestProblem(err: unknown): never {
  if (err instanceof ManifestError) throw new CliError(`the manifest is refused, nothing was started:\n${err.message}`);
  throw err;
}

function checkRoute(route: string | undefined): BulkRoute {
  const r = (route ?? 'standard') as BulkRoute;
  if (!BULK_ROUTES.includes(r)) throw new CliError(`--route must be one of ${BULK_ROUTES.join(', ')}, got "${route}"`);
  return r;
}

function wholeNumber(v: string, flag: string, least: number, most: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < least || n > most) throw new CliError(`${flag} must be a whole number from ${least} to ${most}, got "${v}"`);
  return n;
}

/** `90m`, `12h`, `2d`, `1d12h`, `3600s` → milliseconds. */
export function parseDuration(text: string): number {
  const unit: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)([smhd])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text.trim()) throw new CliError(`--deadline must be a duration such as 90m, 12h, 2d or 1d12h, got "${text}"`);
  return parts.reduce((ms, p) => ms + Number(p[1]) * unit[p[2]!]!, 0);
}

/** One bar for the whole bulk on a terminal; plain `progress:` lines otherwise. */
function bulkProgress(io: Io, tty: boolean): { update(s: BulkState): void; stop(): void } {
  if (!tty) return { update: (s) => io.stderr(`progress: ${s.status}; ${formatBulkProgress(s)}`), stop: () => {} };
  const bar = new SingleBar({ stream: process.stderr, format: 'bulk [{bar}] {value}/{total} rows | {detail}', barsize: 30, hideCursor: true, clearOnComplete: false });
  let started = false;
  return {
    update(s) {
      const p = s.progress;
      const detail = formatBulkProgress(s).replace(/^rows \S+: /, '');
      if (!started) {
        bar.start(Math.max(p.rows, 1), p.completed + p.failed + p.cancelled, { detail });
        started = true;
      } else bar.update(p.completed + p.failed + p.cancelled, { detail });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
