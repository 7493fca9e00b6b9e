/** @module `fillflow fill`: validate the inputs, store them, run one fill (standalone or on a cluster), write RESULT.json;
 * or, with --dry-run, print what the fill would spend and start nothing. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError, loadConfig, type ConfigOverrides } from '../config.js';
import { dryRunFill, type FillCostEstimate } from '../activities/dry-run-fill.js';
import { describeEndpoint } from '../core/endpoint.js';
import type { FillResult } from '../core/types.js';
import { newFillId, resolveFillOptions } from '../fill-start.js';
import { ingestPaths } from '../retrieval/ingest.js';
import { startLocalStack } from '../runtime/local-stack.js';
import { openStore } from '../store/open-store.js';
import { CliError, ExitCode } from './cli-error.js';
import { limitOverrides, type LimitFlagValues } from './limit-flags.js';
import { loadTemplateFile } from './load-template-file.js';
import { progressReporter } from './progress-reporter.js';
import { saveTemplate } from '../templates/save-template.js';

export interface FillCommandOptions {
  template: string;
  /** A JSON spec for a document template's field types and labels. */
  spec?: string;
  /** Where to write the filled document. */
  output?: string;
  docs: string[];
  /** Required unless `dryRun`. */
  out?: string;
  /** Print the calls and tokens the fill would spend, and start nothing. */
  dryRun?: boolean;
  worker?: boolean;
  json?: boolean;
  /** interactive | bulk */
  priority?: string;
  /** wait | fallback */
  onQuotaExhausted?: string;
  maxConcurrentBatches?: string;
}

/** The quota flags (--profile, --rpm, --max-batch-size, ...) come from limit-flags.ts. */
export type FillCommandFlags = FillCommandOptions & LimitFlagValues;

export async function fillCommand(opts: FillCommandFlags, io: { stderr: (line: string) => void; stdout: (line: string) => void }): Promise<number> {
  if (opts.out === undefined && !opts.dryRun) throw new CliError("required option '--out <file>' not specified (or --dry-run)");
  const overrides: ConfigOverrides = {
    ...limitOverrides(opts),
    fill: { priority: opts.priority, onQuotaExhausted: opts.onQuotaExhausted, maxConcurrentBatches: opts.maxConcurrentBatches },
  };
  let config;
  try {
    config = loadConfig(process.env, overrides);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }

  // Everything the user gave is checked before anything is stored or started.
  const parsed = await loadTemplateFile(opts.template, opts.spec);
  const template = parsed.spec;
  const store = openStore({ dbPath: config.dbPath });
  try {
    let documents;
    try {
      documents = await ingestPaths(store, opts.docs);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    if (documents.length === 0) throw new CliError(`no documents found in: ${opts.docs.join(', ')}`);
    await saveTemplate(store, parsed, { ifExists: 'replace' });
    const documentIds = [...new Set(documents.map((d) => d.id))];

    if (opts.dryRun) {
      for (const w of parsed.warnings) io.stderr(`warning: ${opts.template}: ${w.path}: ${w.message}`);
      // The options the fill would start with: the one start path resolves them from this configuration.
      const estimate = await dryRunFill({ store, config }, { templateId: template.id, documentIds, options: resolveFillOptions(config) }).catch((err: Error) => {
        throw new CliError(err.message);
      });
      if (opts.json) io.stdout(JSON.stringify(estimate));
      else for (const line of formatEstimate(estimate, config.profile)) io.stdout(line);
      return ExitCode.ok;
    }

    const fillId = newFillId();
    io.stderr(`fill: ${fillId}`);
    for (const w of parsed.warnings) io.stderr(`warning: ${opts.template}: ${w.path}: ${w.message}`);
    if (!config.gemini.apiKey) {
      io.stderr('gemini: GEMINI_API_KEY is not set; the offline extractor (regex and heuristics) fills what it can');
    }

    const standalone = config.temporal.address === undefined;
    const stack = await startLocalStack({ config, store, workers: standalone || opts.worker === true }).catch((err: Error) => {
      throw new CliError(err.message, ExitCode.unavailable);
    });
    io.stderr(standalone ? `temporal: local dev server at ${stack.address} (stopped after the fill)` : `temporal: ${stack.address}`);
    let result: FillResult;
    try {
      // The one start path: the stack's client resolves options from this configuration (profile, config
      // file, environment, flags) exactly as the HTTP API does, and records the fill in the store.
      // Standalone, a dev server that dies ends the wait at once, saying so, instead of retrying until killed.
      await stack.whileServing(stack.client.startFill({ fillId, templateId: template.id, documentIds }), `the fill ${fillId}`);
      const bar = progressReporter(io, process.stderr.isTTY === true);
      try {
        result = await stack.whileServing(stack.client.waitForFill(fillId, { onProgress: (p) => bar.update(p) }), `the fill ${fillId}`);
      } finally {
        bar.stop();
      }
    } catch (err) {
      io.stderr(`fill failed: ${(err as Error).message}`);
      return ExitCode.failed;
    } finally {
      await stack.stop();
    }

    const out = resolve(opts.out!);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
    for (const n of result.notices ?? []) io.stderr(`notice: ${n}`);
    if (opts.output !== undefined) {
      const output = await store.getOutput(fillId);
      if (output) {
        await mkdir(dirname(resolve(opts.output)), { recursive: true });
        await writeFile(resolve(opts.output), output.bytes);
        io.stderr(`output: ${resolve(opts.output)} (${output.mediaType.split(';')[0]})`);
      } else io.stderr('output: no filled document was rendered (see the notices)');
    }
    io.stderr(summary(result, out));
    if (opts.json) io.stdout(JSON.stringify(result));
    return result.status === 'completed' ? ExitCode.ok : ExitCode.failed;
  } finally {
    await store.close();
  }
}

const n = (x: number) => x.toLocaleString('en-US');

/** The dry run for a terminal: the plan, its calls one by one, the limits in force and what may add calls. */
export function formatEstimate(e: FillCostEstimate, profile: string): string[] {
  const q = e.quota;
  const wait = e.waitSeconds === 0 ? "fits the quota's room this minute" : e.waitSeconds >= 86_400 ? 'needs more requests than are left today' : `waits about ${Math.round(e.waitSeconds / 60)} min for the quota's room`;
  return [
    `dry run: ${n(e.fields)} fields over ${n(e.documents)} document(s), ${e.model}; nothing is sent`,
    `plan: ${n(e.calls)} Gemini call(s), ${e.fieldsPerCall} fields per call, ${e.wholeDocuments ? 'the documents sent whole in each' : `retrieved passages per field (ranked by BM25${e.vectors ? ' and the stored vectors' : ''})`}; ` +
      `about ${n(e.promptTokens)} prompt tokens, at most ${n(e.answerTokens)} answer tokens` +
      (e.embeddingCalls > 0 ? `; ${n(e.embeddingCalls)} embedding request(s) first` : ''),
    ...e.callsPlanned.map((c) => `  ${c.id}: ${n(c.fields)} fields, ${n(c.passages)} passage(s), ~${n(c.promptTokens)} prompt tokens, ≤${n(c.answerTokens)} answer tokens`),
    ...(e.fieldsWithoutContext.length > 0 ? [`not asked (no passage matched; the offline extractor tries them): ${e.fieldsWithoutContext.join(', ')}`] : []),
    `limits (${profile}): ${n(e.options.maxBatchSize)} fields, ${n(e.options.maxInputTokens)} prompt tokens and ${n(e.maxOutputTokens)} answer tokens per call at most; ` +
      `${n(e.limits.requestsPerMinute)} requests/min, ${n(e.limits.tokensPerMinute)} tokens/min, ${n(e.limits.requestsPerDay)} requests/day`,
    `quota now: ${n(q.requestsLeftToday)} requests left today, ${n(q.requestsLeftThisMinute)} requests and ${n(q.tokensLeftThisMinute)} tokens this minute; ` +
      `${q.scarce === 'neither' ? 'neither requests nor tokens are scarce' : `${q.scarce} are scarce`} (${q.reason}); the fill ${wait}`,
    ...e.notes.map((note) => `may add calls: ${note}`),
  ];
}

function summary(r: FillResult, out: string): string {
  const count = (s: string) => r.fields.filter((f) => f.status === s).length;
  const u = r.usage;
  return (
    `done: ${r.status}; ${count('filled')} filled, ${count('fallback')} fallback, ${count('not_found')} not found, ` +
    `${count('invalid')} invalid; ${u.apiCalls} Gemini call(s), ${u.cacheHits} cache hit(s), ` +
    `${u.fieldsPerCall} fields/call, ${u.rateLimited} rate-limited; answered by ${r.answeredBy.model} at ${describeEndpoint(r.answeredBy.endpoint)}; result in ${out}`
  );
}
