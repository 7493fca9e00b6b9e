/** @module The quota and profile flags shared by `fill`, `worker` and `dev`: every profile value can be
 * overridden on the command line (over the config file and the environment). */
import type { Command } from 'commander';
import type { ConfigOverrides, Limits } from '../config.js';
import { CliError } from './cli-error.js';

/** Flag name → the limit it sets. */
const LIMIT_FLAGS: ReadonlyArray<[flag: string, key: keyof Limits, help: string]> = [
  ['--concurrency <n>', 'concurrency', 'Gemini calls in flight per worker'],
  ['--rpm <n>', 'requestsPerMinute', 'requests per minute (per API key and model)'],
  ['--tpm <n>', 'tokensPerMinute', 'input tokens per minute'],
  ['--rpd <n>', 'requestsPerDay', 'requests per day (America/Los_Angeles day)'],
  ['--min-interval-ms <n>', 'minIntervalMs', 'least time between two calls (0: none)'],
  ['--max-batch-size <n>', 'maxBatchSize', 'most fields per Gemini call'],
  ['--max-input-tokens <n>', 'maxInputTokens', 'most prompt tokens per Gemini call'],
  ['--max-output-tokens <n>', 'maxOutputTokens', 'most answer tokens per Gemini call'],
];

export interface LimitFlagValues {
  profile?: string;
  queueRate?: string;
  concurrency?: string;
  rpm?: string;
  tpm?: string;
  rpd?: string;
  minIntervalMs?: string;
  maxBatchSize?: string;
  maxInputTokens?: string;
  maxOutputTokens?: string;
}

/** Adds `--profile`, `--queue-rate` and one flag per limit; flags the command already has are left alone. */
export function withLimitFlags(cmd: Command): Command {
  const has = (flag: string) => cmd.options.some((o) => o.long === flag.split(' ')[0]);
  if (!has('--profile')) cmd.option('--profile <name>', 'conservative | balanced | aggressive');
  if (!has('--queue-rate')) cmd.option('--queue-rate <mode>', 'who enforces requests/min: ledger (exact window, burst allowed) | server (task-queue limit)');
  for (const [flag, , help] of LIMIT_FLAGS) if (!has(flag)) cmd.option(flag, help);
  return cmd;
}

/** The config overrides the flags ask for. Values are validated by loadConfig, which names the limit. */
export function limitOverrides(opts: LimitFlagValues): ConfigOverrides {
  const limits: Partial<Limits> = {};
  for (const [flag, key] of LIMIT_FLAGS) {
    const prop = camel(flag.split(' ')[0]!.slice(2)) as keyof LimitFlagValues;
    const v = opts[prop];
    if (v === undefined) continue;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new CliError(`${flag.split(' ')[0]} must be a whole number, got "${v}"`);
    limits[key] = n;
  }
  return {
    ...(opts.profile !== undefined ? { profile: opts.profile } : {}),
    ...(opts.queueRate !== undefined ? { queueRate: opts.queueRate } : {}),
    limits,
  };
}

function camel(s: string): string {
  return s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
