/** @module `fillflow limits [apply|reset] [--profile …] [--rpm …] [--json]`: the quota limits in force, and
 * changing them while workers run. `apply` sets the Gemini queue's server-side rate limit through the
 * task-queue configuration API (it wins over every worker's value) and the ledger's limits in the shared
 * store (they win over every worker's configured ones); `reset` clears both, so workers' own config applies. */
import { Client } from '@temporalio/client';
import { ConfigError, loadConfig } from '../config.js';
import { quotaLimitsOf } from '../core/quota-limits.js';
import { geminiQueueRate } from '../core/task-queue-rate.js';
import { openStore } from '../store/open-store.js';
import { describeQueueRate, setQueueRate } from '../temporal/task-queue-config.js';
import { CliError, ExitCode } from './cli-error.js';
import { limitOverrides, type LimitFlagValues } from './limit-flags.js';
import { connectForCommand } from './service-commands.js';

type Io = { stderr: (line: string) => void; stdout: (line: string) => void };

export async function limitsCommand(action: string | undefined, opts: LimitFlagValues & { json?: boolean }, io: Io): Promise<number> {
  if (action !== undefined && action !== 'apply' && action !== 'reset' && action !== 'show') {
    throw new CliError(`limits: expected show, apply or reset, got "${action}"`);
  }
  let config;
  try {
    config = loadConfig(process.env, limitOverrides(opts));
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
  // The environment's Temporal credentials (TEMPORAL_API_KEY, TEMPORAL_TLS*, a profile); errors name the address only.
  const connection = await connectForCommand(config);
  const store = openStore(config);
  try {
    const service = new Client({ connection, namespace: config.temporal.namespace }).workflowService;
    const target = { namespace: config.temporal.namespace, taskQueue: config.temporal.geminiTaskQueue };
    const limits = quotaLimitsOf(config.limits);
    if (action === 'apply') {
      const perSecond = geminiQueueRate(config.queueRate, limits.requestsPerMinute);
      await setQueueRate(service, target, perSecond, `fillflow limits apply (${config.profile}, ${limits.requestsPerMinute}/min, ${config.queueRate})`);
      await store.quotaSetLimits(limits);
    } else if (action === 'reset') {
      await setQueueRate(service, target, undefined, 'fillflow limits reset');
      await store.quotaSetLimits(null);
    }
    const queue = await describeQueueRate(service, target);
    const ledger = (await store.quotaLimitOverrides()) ?? null;
    const report = { profile: config.profile, queueRate: config.queueRate, configured: limits, ledgerOverrides: ledger, queue };
    if (opts.json) io.stdout(JSON.stringify(report));
    else {
      io.stdout(`configured (${config.profile}): ${limits.requestsPerMinute} requests/min, ${limits.tokensPerMinute} tokens/min, ${limits.requestsPerDay} requests/day, ${limits.minIntervalMs} ms apart`);
      io.stdout(`in force on the store's ledger: ${ledger ? JSON.stringify(ledger) : "each worker's own configuration"}`);
      io.stdout(
        `queue ${target.taskQueue}: ${queue.effectivePerSecond !== undefined ? `${queue.effectivePerSecond.toFixed(3)}/s` : 'no limit'}` +
          (queue.source ? ` (set by ${queue.source})` : ''),
      );
    }
    return ExitCode.ok;
  } finally {
    await store.close();
    await connection.close();
  }
}
