/** @module `fillflow stats [--json] [--fill ID]`: Gemini usage and the quota in force, from the store the workers share. */
import { loadConfig } from '../config.js';
import { describeEndpoint } from '../core/endpoint.js';
import { openStore } from '../store/open-store.js';
import { apiUsage } from '../usage/api-usage.js';
import { ExitCode } from './cli-error.js';

type Io = { stderr: (line: string) => void; stdout: (line: string) => void };

export async function statsCommand(opts: { json?: boolean; fill?: string }, io: Io): Promise<number> {
  const config = loadConfig();
  const store = openStore(config);
  try {
    const report = await apiUsage(store, config, opts.fill !== undefined ? { fillId: opts.fill } : {});
    if (opts.json) {
      io.stdout(JSON.stringify(report));
      return ExitCode.ok;
    }
    const u = report.usage;
    const l = report.limits;
    const byKind = Object.entries(u.rateLimitedByKind).map(([k, n]) => `${k} ${n}`).join(', ');
    io.stdout(`${u.fillId ? `fill ${u.fillId}: ` : ''}Gemini calls ${u.apiCalls} (429s ${u.rateLimited}${byKind ? `: ${byKind}` : ''}; errors ${u.errors}; retries ${u.retries})`);
    io.stdout(`tokens: prompt ${u.promptTokens}, output ${u.outputTokens}; fields/call ${u.fieldsPerCall}; cache: ${u.cacheHits} hits, ${report.gemini_api_stats.cache_size} answers stored`);
    io.stdout(`unproven values (no passage proves them; review before trusting): ${u.unproven}`);
    io.stdout(`waited for quota ${seconds(u.quotaWaitMs)}; parked on the daily quota ${seconds(u.parkedMs)}`);
    // Answers from an emulator or a proxy are named as such, never passed off as Google's.
    for (const e of report.byEndpoint) {
      io.stdout(`answered by ${e.model} at ${describeEndpoint(e.endpoint)}: ${e.apiCalls} calls, ${e.cacheHits} cache hits, ${e.promptTokens} prompt tokens`);
    }
    io.stdout(
      `limits (${l.profile}, ${l.model}): ${l.requestsPerMinute} requests/min, ${l.tokensPerMinute} tokens/min, ${l.requestsPerDay} requests/day, ` +
        `${l.concurrency} at a time${l.minIntervalMs ? `, ${l.minIntervalMs} ms apart` : ''}; queue ${l.taskQueueActivitiesPerSecond}/s (${l.queueRate})`,
    );
    for (const q of report.quota) {
      io.stdout(
        `quota ${q.keyId}/${q.model} on ${q.day}: ${q.requestsToday} requests today, ${q.dailyQuotaLeft} left; ` +
          `last minute ${q.requestsInWindow} requests, ${q.tokensInWindow} tokens; rate ${Math.round(q.rateFactor * 100)}%` +
          (q.exhaustedUntil ? `; closed until ${new Date(q.exhaustedUntil).toISOString()}` : ''),
      );
    }
    if (report.quota.length === 0) io.stdout('quota: no calls recorded yet');
    io.stdout(report.gemini_api_stats.service_available ? 'Gemini configured' : 'no GEMINI_API_KEY in this environment');
    return ExitCode.ok;
  } finally {
    await store.close();
  }
}

function seconds(ms: number): string {
  return ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1000).toFixed(1)} s`;
}
