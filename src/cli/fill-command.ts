/** @module `fillflow fill`: validate the inputs, store them, run one fill (standalone or on a cluster), write RESULT.json. */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError, loadConfig, type ConfigOverrides } from '../config.js';
import type { FillOptions } from '../core/fill-records.js';
import type { FillResult } from '../core/types.js';
import { ingestPaths } from '../retrieval/ingest.js';
import { startLocalStack } from '../runtime/local-stack.js';
import { openStore } from '../store/open-store.js';
import { CliError, ExitCode } from './cli-error.js';
import { formatProgress } from './format-progress.js';
import { loadTemplateFile } from './load-template-file.js';

export interface FillCommandOptions {
  template: string;
  docs: string[];
  out: string;
  maxBatchSize?: string;
  maxInputTokens?: string;
  profile?: string;
  worker?: boolean;
  json?: boolean;
}

export async function fillCommand(opts: FillCommandOptions, io: { stderr: (line: string) => void; stdout: (line: string) => void }): Promise<number> {
  const overrides: ConfigOverrides = {
    ...(opts.profile !== undefined ? { profile: opts.profile } : {}),
    limits: {
      ...(opts.maxBatchSize !== undefined ? { maxBatchSize: cliInt(opts.maxBatchSize, '--max-batch-size') } : {}),
      ...(opts.maxInputTokens !== undefined ? { maxInputTokens: cliInt(opts.maxInputTokens, '--max-input-tokens') } : {}),
    },
  };
  let config;
  try {
    config = loadConfig(process.env, overrides);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }

  // Everything the user gave is checked before anything is stored or started.
  const template = await loadTemplateFile(opts.template);
  const store = openStore({ dbPath: config.dbPath });
  try {
    let documents;
    try {
      documents = await ingestPaths(store, opts.docs);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    if (documents.length === 0) throw new CliError(`no documents found in: ${opts.docs.join(', ')}`);
    await store.putTemplate(template);

    const fillId = `fill-${randomUUID()}`;
    io.stderr(`fill: ${fillId}`);
    const documentIds = [...new Set(documents.map((d) => d.id))];
    await store.createFill({ fillId, templateId: template.id, documentIds });
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
      const options: FillOptions = {
        maxBatchSize: config.limits.maxBatchSize,
        maxInputTokens: config.limits.maxInputTokens,
        maxOutputTokens: config.limits.maxOutputTokens,
      };
      await stack.client.startFill({ fillId, templateId: template.id, documentIds, options });
      result = await stack.client.waitForFill(fillId, { onProgress: (p) => io.stderr(formatProgress(p)) });
    } catch (err) {
      await store.updateFill(fillId, { status: 'failed' });
      io.stderr(`fill failed: ${(err as Error).message}`);
      return ExitCode.failed;
    } finally {
      await stack.stop();
    }

    const out = resolve(opts.out);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
    for (const n of result.notices ?? []) io.stderr(`notice: ${n}`);
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
    `${u.fieldsPerCall} fields/call, ${u.rateLimited} rate-limited; result in ${out}`
  );
}

function cliInt(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${flag} must be a whole number of at least 1, got "${v}"`);
  return n;
}
