/** @module `fillflow fill`: validate the inputs, store them, run one fill (standalone or on a cluster), write RESULT.json. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError, loadConfig, type ConfigOverrides } from '../config.js';
import { describeEndpoint } from '../core/endpoint.js';
import type { FillResult } from '../core/types.js';
import { newFillId } from '../fill-start.js';
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
  out: string;
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

    const fillId = newFillId();
    io.stderr(`fill: ${fillId}`);
    for (const w of parsed.warnings) io.stderr(`warning: ${opts.template}: ${w.path}: ${w.message}`);
    const documentIds = [...new Set(documents.map((d) => d.id))];
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
      await stack.client.startFill({ fillId, templateId: template.id, documentIds });
      const bar = progressReporter(io, process.stderr.isTTY === true);
      try {
        result = await stack.client.waitForFill(fillId, { onProgress: (p) => bar.update(p) });
      } finally {
        bar.stop();
      }
    } catch (err) {
      io.stderr(`fill failed: ${(err as Error).message}`);
      return ExitCode.failed;
    } finally {
      await stack.stop();
    }

    const out = resolve(opts.out);
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

function summary(r: FillResult, out: string): string {
  const count = (s: string) => r.fields.filter((f) => f.status === s).length;
  const u = r.usage;
  return (
    `done: ${r.status}; ${count('filled')} filled, ${count('fallback')} fallback, ${count('not_found')} not found, ` +
    `${count('invalid')} invalid; ${u.apiCalls} Gemini call(s), ${u.cacheHits} cache hit(s), ` +
    `${u.fieldsPerCall} fields/call, ${u.rateLimited} rate-limited; answered by ${r.answeredBy.model} at ${describeEndpoint(r.answeredBy.endpoint)}; result in ${out}`
  );
}
