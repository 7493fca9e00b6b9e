/** @module A bulk's results from the store, at any time (partial while it runs): one line per ended row in
 * manifest order (a completed row's FillResult with its `row`; a failed or cancelled row's reason and usage),
 * the summary beside the forecast, and both written to a folder as results.jsonl and summary.json. */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FillResult } from '../core/types.js';
import type { BulkRowRecord } from '../store/bulk-store.js';
import type { Store } from '../store/store.js';
import type { BulkForecast } from './forecast.js';
import { costOf, type PriceTable } from './price-table.js';

/** Rows read from the store at a time. */
const PAGE = 500;

/** A row's usage as its fill counted it (every request, those of a failed row too). */
export interface RowUsage {
  apiCalls: number;
  cacheHits: number;
  promptTokens: number;
  outputTokens: number;
  rateLimited: number;
  retries: number;
}

/** One line of results.jsonl. */
export type BulkResultLine =
  | ({ row: string } & FillResult)
  | { row: string; fillId: string; templateId: string; status: 'failed' | 'cancelled'; error: string; fields: []; usage: RowUsage };

export type BulkStatus = 'running' | 'paused-quota' | 'completed' | 'failed' | 'cancelled' | 'terminated' | 'timed_out';

/** summary.json. */
export interface BulkSummary {
  bulkId: string;
  status: BulkStatus;
  rows: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** Rows not ended yet (a partial summary). */
  pending: number;
  usage: RowUsage & { model: string; route: string; costUsd?: number };
  forecast?: BulkForecast;
  createdAt: string;
  writtenAt: string;
}

/** Every ended row's line, in manifest order. A row whose fill stored its result counts as completed even before the bulk recorded it. */
export async function* bulkResultLines(store: Store, bulkId: string): AsyncGenerator<BulkResultLine> {
  for (let offset = 0; ; offset += PAGE) {
    const rows = await store.listBulkRows(bulkId, offset, PAGE);
    for (const r of rows) {
      const line = await resultLine(store, r);
      if (line) yield line;
    }
    if (rows.length < PAGE) return;
  }
}

async function resultLine(store: Store, r: BulkRowRecord): Promise<BulkResultLine | undefined> {
  if (r.status === 'pending' || r.status === 'completed') {
    const result = (await store.getFill(r.fillId))?.result;
    if (result) return { row: r.row, ...result };
    if (r.status === 'pending') return undefined;
  }
  return {
    row: r.row,
    fillId: r.fillId,
    templateId: r.templateId,
    status: r.status === 'cancelled' ? 'cancelled' : 'failed',
    error: r.reason ?? (r.status === 'completed' ? 'the fill completed but its result is not in the store' : 'unknown'),
    fields: [],
    usage: await rowUsage(store, r.fillId),
  };
}

async function rowUsage(store: Store, fillId: string): Promise<RowUsage> {
  const t = await store.usageTotals(fillId);
  return { apiCalls: t.apiCalls, cacheHits: t.cacheHits, promptTokens: t.promptTokens, outputTokens: t.outputTokens, rateLimited: t.rateLimited, retries: t.retries };
}

/** The summary of what the store holds now, with the bulk's status as Temporal reports it. */
export async function bulkSummary(
  store: Store,
  bulkId: string,
  status: BulkStatus,
  pricing: { prices: PriceTable; model: string },
): Promise<BulkSummary> {
  const bulk = await store.getBulk(bulkId);
  if (!bulk) throw new Error(`no bulk "${bulkId}" in the store`);
  const usage: RowUsage = { apiCalls: 0, cacheHits: 0, promptTokens: 0, outputTokens: 0, rateLimited: 0, retries: 0 };
  const counts = { completed: 0, failed: 0, cancelled: 0 };
  let model = pricing.model;
  for await (const line of bulkResultLines(store, bulkId)) {
    if (!('answeredBy' in line)) counts[line.status]++;
    else {
      counts.completed++;
      if (line.answeredBy.model !== 'none') model = line.answeredBy.model;
    }
    for (const k of Object.keys(usage) as (keyof RowUsage)[]) usage[k] += line.usage[k] ?? 0;
  }
  const route = typeof bulk.meta.route === 'string' ? bulk.meta.route : 'standard';
  const costUsd = costOf(pricing.prices, model, route === 'flex' || route === 'batch' ? route : 'standard', usage);
  return {
    bulkId,
    status,
    rows: bulk.rows,
    ...counts,
    pending: bulk.rows - counts.completed - counts.failed - counts.cancelled,
    usage: { ...usage, model, route, ...(costUsd !== undefined ? { costUsd } : {}) },
    ...(bulk.meta.forecast ? { forecast: bulk.meta.forecast as BulkForecast } : {}),
    createdAt: bulk.createdAt,
    writtenAt: new Date().toISOString(),
  };
}

/**
 * Writes DIR/results.jsonl (every ended row, in manifest order) and DIR/summary.json, each through a temporary
 * file renamed into place, so a reader never sees half a file.
 */
export async function writeBulkResults(store: Store, bulkId: string, dir: string, summary: BulkSummary): Promise<{ results: string; summary: string }> {
  const out = resolve(dir);
  await mkdir(out, { recursive: true });
  const results = join(out, 'results.jsonl');
  const lines: string[] = [];
  for await (const line of bulkResultLines(store, bulkId)) lines.push(JSON.stringify(line));
  await writeFile(`${results}.tmp`, lines.length > 0 ? `${lines.join('\n')}\n` : '');
  await rename(`${results}.tmp`, results);
  const summaryFile = join(out, 'summary.json');
  await writeFile(`${summaryFile}.tmp`, `${JSON.stringify(summary, null, 2)}\n`);
  await rename(`${summaryFile}.tmp`, summaryFile);
  return { results, summary: summaryFile };
}
