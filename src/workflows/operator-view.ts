/** @module What an operator reads about a fill in the Temporal UI (and `temporal workflow describe`): the static
 * summary and details it starts with, its current details while it runs, and the summaries of its activities and
 * of its park's timer. Pure formatting, shared by the start path, a bulk's children and the workflow code. The UI
 * renders the workflow's texts as Temporal markdown, so there IDs are code spans and a template's name (user
 * text) is escaped; it shows activity and timer summaries as they are, so those are plain text. */
import type { ActivityFunction, ActivityOptions } from '@temporalio/common';
import type { ActivityInterfaceFor } from '@temporalio/workflow';
import type { FillOptions, FillPriority, FillProgress } from '../core/fill-records.js';

/** Field keys an activity summary names before "+N more": enough to recognise the batch, short enough for one line. */
const NAMED_FIELDS = 3;

/** What a fill's static summary says; the start path and a bulk's children fill it in from what they know. */
export interface FillSummaryFacts {
  templateId: string;
  /** The template's name and field count, when the starting process can read the template. */
  template?: { name: string; fields: number };
  documents: number;
  /**
   * How the fill's requests reach Gemini: a fill of its own is always `standard`; a bulk's row has its bulk's
   * route (docs/bulk.md).
   */
  route: string;
  priority: FillPriority;
  /** A bulk's row: the bulk and the row's own name, first in the summary. */
  row?: { bulkId: string; row: string };
}

/**
 * The one-line static summary: which template, how much, by which route at which priority.
 * @example fillSummary({ templateId: 'nda', template: { name: 'NDA', fields: 30 }, documents: 3, route: 'standard', priority: 'interactive' })
 * // 'fill NDA (`nda`): 3 documents, 30 fields; standard route, interactive priority'
 */
export function fillSummary(f: FillSummaryFacts): string {
  const counts = [count(f.documents, 'document'), ...(f.template ? [count(f.template.fields, 'field')] : [])].join(', ');
  const row = f.row ? `row ${code(f.row.row)} of ${code(f.row.bulkId)}: ` : '';
  return `${row}fill ${templateLabel(f.templateId, f.template?.name)}: ${counts}; ${f.route} route, ${f.priority} priority`;
}

/**
 * The static details, one fact a line: the options an operator asks about (the input panel beside them has the
 * document IDs). @example
 * // 'batches of up to 200 fields and 32,000 input tokens
 * //  when the daily quota runs out: wait for the reset
 * //  tenant `466c658f480a0462` (the Gemini API key's short hash) on the Gemini queue'
 */
export function fillStaticDetails(options: FillOptions): string {
  const sizes = `batches of up to ${count(options.maxBatchSize, 'field')} and ${thousands(options.maxInputTokens)} input tokens`;
  const quota = `when the daily quota runs out: ${options.onQuotaExhausted === 'fallback' ? 'fill offline at once, Gemini again after the reset' : 'wait for the reset'}`;
  const tenant = options.fairnessKey ? [`tenant ${code(options.fairnessKey)} (the Gemini API key's short hash) on the Gemini queue`] : [];
  return [sizes, quota, ...tenant].join('\n');
}

/**
 * The current details: the phase and how far it got, and while parked, until when and how to go on now.
 * @example fillDetails({ fillId: 'fill-1', phase: 'paused-quota', resumeAt: '2026-11-30T08:00:41.123Z', batchesDone: 1, batchesTotal: 2, fieldsDone: 15, fieldsTotal: 30, ... })
 * // 'parked until 2026-11-30T08:00:41Z, daily quota; 1 of 2 batches done, 15 of 30 fields\n`fillflow resume fill-1` resumes it now'
 */
export function fillDetails(p: FillProgress): string {
  // "1 of 2", never "1/2": the UI's markdown would show a fraction.
  const batches = `${p.batchesDone} of ${count(p.batchesTotal, 'batch', 'batches')} done, ${p.fieldsDone} of ${count(p.fieldsTotal, 'field')}${p.splits > 0 ? `, ${count(p.splits, 'split')}` : ''}`;
  switch (p.phase) {
    case 'preparing':
      return 'preparing: reading the template and the documents';
    case 'gathering':
      return `gathering passages for ${count(p.fieldsTotal, 'field')}`;
    case 'extracting':
      return `extracting: ${batches}`;
    case 'paused-quota': {
      const offline = p.provisionalFields ? `, ${p.provisionalFields} filled offline for now` : '';
      return `${parkedUntil(p.resumeAt)}; ${batches}${offline}\n${code(`fillflow resume ${p.fillId}`)} resumes it now`;
    }
    case 'fallback':
      return `offline extractor: the fields Gemini left; ${p.fieldsDone} of ${count(p.fieldsTotal, 'field')}`;
    case 'finalizing':
      return `finalizing ${count(p.fieldsTotal, 'field')}`;
    case 'rendering':
      return 'rendering the filled document';
    case 'completed':
    case 'failed':
      return p.phase;
  }
}

/** Why and until when a fill waits: its current details and its park's timer say it the same way. */
export function parkedUntil(resumeAt: string | undefined): string {
  return `parked until ${resumeAt ? resumeAt.replace(/\.\d+Z$/, 'Z') : 'the reset'}, daily quota`;
}

/**
 * An extractBatch call's summary: which batch (and whether it re-asks), and its first fields.
 * @example batchSummary({ batchId: 'b0', fieldKeys: ['legal_name', 'vat', 'iban', 'swift'] })
 * // 'batch b0: 4 fields (legal_name, vat, iban +1 more)'
 */
export function batchSummary(a: { batchId: string; fieldKeys: readonly string[]; corrections?: Readonly<Record<string, string>> }): string {
  return `batch ${a.batchId}${a.corrections ? ' re-ask' : ''}: ${fieldList(a.fieldKeys)}`;
}

/** A summary for an activity that works on some of the fill's fields: what it does, and its first fields. */
export function fieldsSummary(what: string, fieldKeys: readonly string[]): string {
  return `${what}: ${fieldList(fieldKeys)}`;
}

/** Per activity, the summary of one call made from its input. */
export type ActivitySummaries<A> = {
  [K in keyof A]?: A[K] extends (input: infer I) => unknown ? (input: I) => string : never;
};

/**
 * The proxied activities, each call of those in `summaries` carrying its summary (the UI shows it on the activity's
 * events): the SDK's per-call options, so the proxy's own options (queue, timeouts, priority) stay as they are.
 */
export function withSummaries<A extends object>(activities: ActivityInterfaceFor<A>, summaries: ActivitySummaries<A>): ActivityInterfaceFor<A> {
  return new Proxy(activities, {
    get(target, name, receiver) {
      const activity = Reflect.get(target, name, receiver) as ActivityInterfaceFor<Record<string, ActivityFunction>>[string];
      const summarize = (summaries as Record<string | symbol, ((input: unknown) => string) | undefined>)[name];
      if (!summarize) return activity;
      const withOptions = (options: ActivityOptions, args: unknown[]) => activity.executeWithOptions({ summary: summarize(args[0]), ...options }, args);
      return Object.assign((...args: unknown[]) => withOptions({}, args), { executeWithOptions: withOptions });
    },
  });
}

function fieldList(keys: readonly string[]): string {
  const shown = keys.slice(0, NAMED_FIELDS).join(', ');
  return `${count(keys.length, 'field')} (${keys.length > NAMED_FIELDS ? `${shown} +${keys.length - NAMED_FIELDS} more` : shown})`;
}

function templateLabel(id: string, name: string | undefined): string {
  return name && name !== id ? `${escapeMarkdown(name)} (${code(id)})` : code(id);
}

function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${thousands(n)} ${n === 1 ? noun : plural}`;
}

/** 32000 as "32,000", the same in every locale (the workflow sandbox's Intl is not something to depend on). */
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** An ID as a code span; IDs and keys never hold a backtick, but a caller's text might, and is escaped instead. */
function code(text: string): string {
  return text.includes('`') ? escapeMarkdown(text) : `\`${text}\``;
}

/** User text as literal markdown: the characters that would start emphasis, code, links or HTML are escaped. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_~[\]<>|#]/g, (c) => `\\${c}`).replace(/\s+/g, ' ');
}
