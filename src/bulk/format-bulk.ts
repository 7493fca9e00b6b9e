/** @module A bulk's state and summary as lines for a terminal or a log. */
import type { BulkState } from '../bulk-client.js';
import { formatDuration } from './forecast.js';
import type { BulkSummary } from './results.js';

const n = (x: number) => x.toLocaleString('en-US');

/** `rows 12/50: 12 completed, 0 failed, 10 running (2 parked), 28 pending; ETA 3 min` */
export function formatBulkProgress(s: BulkState): string {
  const p = s.progress;
  const ended = p.completed + p.failed + p.cancelled;
  const parts = [`rows ${n(ended)}/${n(p.rows)}: ${n(p.completed)} completed, ${n(p.failed)} failed`];
  if (p.cancelled > 0) parts.push(`${n(p.cancelled)} cancelled`);
  if (s.status === 'running' || s.status === 'paused-quota') {
    parts.push(`${n(p.running)} running${p.parked > 0 ? ` (${n(p.parked)} parked)` : ''}`, `${n(p.pending)} pending`);
  }
  const batch = s.detail?.batch;
  if (batch?.job && batch.state && !['succeeded', 'failed', 'cancelled', 'expired'].includes(batch.state)) parts.push(`batch job ${batch.state} (rows ${batch.group ?? 0}+)`);
  let line = parts.join(', ');
  if (s.status === 'paused-quota' && s.resumeAt) line += `; daily quota exhausted, rows start again at ${s.resumeAt} (or: fillflow bulk resume ${s.bulkId})`;
  else if (s.etaSeconds !== undefined) line += `; ETA ${formatDuration(s.etaSeconds)}`;
  return line;
}

/** The closing line: outcome, usage and cost beside the forecast. */
export function formatSummary(s: BulkSummary, resultsFile: string): string {
  const f = s.forecast;
  const beside = (actual: number, forecast: number | undefined) => (forecast === undefined ? n(actual) : `${n(actual)} (forecast ${n(forecast)})`);
  const cost = s.usage.costUsd === undefined ? 'cost unknown (no price for the model)' : `$${s.usage.costUsd.toFixed(4)} at ${s.usage.route} prices${f?.cost ? ` (forecast $${f.cost[s.usage.route === 'flex' || s.usage.route === 'batch' ? s.usage.route : 'standard'].toFixed(4)})` : ''}`;
  return (
    `done: ${s.status}; ${n(s.completed)}/${n(s.rows)} rows completed, ${n(s.failed)} failed` +
    `${s.cancelled > 0 ? `, ${n(s.cancelled)} cancelled` : ''}${s.pending > 0 ? `, ${n(s.pending)} not finished` : ''}; ` +
    `${beside(s.usage.apiCalls, f?.calls)} Gemini call(s), ${n(s.usage.cacheHits)} cache hit(s), ` +
    `${beside(s.usage.promptTokens, f?.promptTokens)} prompt tokens, ${beside(s.usage.outputTokens, f?.outputTokens)} output tokens; ${cost}; results in ${resultsFile}`
  );
}
