/** What an operator reads in the Temporal UI: the static summary and details, the current details of every
 * phase, and the summaries activities carry (per call, on top of the proxy's own options). */
import type { ActivityOptions } from '@temporalio/common';
import type { ActivityInterfaceFor } from '@temporalio/workflow';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FILL_OPTIONS } from '../../../src/core/fill-options.js';
import type { FillProgress } from '../../../src/core/fill-records.js';
import { batchSummary, fieldsSummary, fillDetails, fillStaticDetails, fillSummary, parkedUntil, withSummaries } from '../../../src/workflows/operator-view.js';

const progress = (p: Partial<FillProgress>): FillProgress => ({
  fillId: 'fill-1',
  phase: 'extracting',
  fieldsTotal: 30,
  fieldsDone: 15,
  batchesTotal: 2,
  batchesDone: 1,
  splits: 0,
  notices: [],
  ...p,
});

describe('the static summary', () => {
  it('names the template, counts documents and fields, and gives the route and priority', () => {
    expect(fillSummary({ templateId: 'supplier-onboarding', template: { name: 'Supplier onboarding form', fields: 30 }, documents: 3, route: 'standard', priority: 'interactive' })).toBe(
      'fill Supplier onboarding form (`supplier-onboarding`): 3 documents, 30 fields; standard route, interactive priority',
    );
  });

  it('says only what it knows without the template record, and names a bulk row first', () => {
    expect(fillSummary({ templateId: 'nda', documents: 1, route: 'batch', priority: 'bulk', row: { bulkId: 'bulk-7', row: 'acme' } })).toBe(
      'row `acme` of `bulk-7`: fill `nda`: 1 document; batch route, bulk priority',
    );
  });

  it('escapes markdown in a template name, so the UI shows it as written, on one line', () => {
    const summary = fillSummary({ templateId: 'nda', template: { name: 'NDA *v2*\n[draft]_x_', fields: 1_200 }, documents: 2, route: 'standard', priority: 'interactive' });
    expect(summary).toBe('fill NDA \\*v2\\* \\[draft\\]\\_x\\_ (`nda`): 2 documents, 1,200 fields; standard route, interactive priority');
  });

  it('gives the template ID alone when the name is the ID', () => {
    expect(fillSummary({ templateId: 'nda', template: { name: 'nda', fields: 3 }, documents: 1, route: 'standard', priority: 'interactive' })).toMatch(/^fill `nda`: 1 document, 3 fields;/);
  });
});

describe('the static details', () => {
  it('give the batch sizes, what a spent quota does and the tenant, one a line', () => {
    expect(fillStaticDetails({ ...DEFAULT_FILL_OPTIONS, fairnessKey: '466c658f480a0462' }).split('\n')).toEqual([
      'batches of up to 200 fields and 32,000 input tokens',
      'when the daily quota runs out: wait for the reset',
      "tenant `466c658f480a0462` (the Gemini API key's short hash) on the Gemini queue",
    ]);
    expect(fillStaticDetails({ ...DEFAULT_FILL_OPTIONS, onQuotaExhausted: 'fallback' })).toContain('fill offline at once, Gemini again after the reset');
  });
});

describe('the current details', () => {
  it('say until when a parked fill waits, how far it got, and how to resume it now', () => {
    const details = fillDetails(progress({ phase: 'paused-quota', resumeAt: '2026-11-30T08:00:41.123Z', provisionalFields: 4 }));
    expect(details).toBe('parked until 2026-11-30T08:00:41Z, daily quota; 1 of 2 batches done, 15 of 30 fields, 4 filled offline for now\n`fillflow resume fill-1` resumes it now');
  });

  it.each<[Partial<FillProgress>, string]>([
    [{ phase: 'preparing' }, 'preparing: reading the template and the documents'],
    [{ phase: 'gathering' }, 'gathering passages for 30 fields'],
    [{ phase: 'extracting', splits: 1 }, 'extracting: 1 of 2 batches done, 15 of 30 fields, 1 split'],
    [{ phase: 'fallback', fieldsDone: 27 }, 'offline extractor: the fields Gemini left; 27 of 30 fields'],
    [{ phase: 'finalizing' }, 'finalizing 30 fields'],
    [{ phase: 'rendering' }, 'rendering the filled document'],
    [{ phase: 'completed' }, 'completed'],
  ])('in phase %o read %j', (p, text) => {
    expect(fillDetails(progress(p))).toBe(text);
  });

  it('say "the reset" when no resume time is known', () => {
    expect(parkedUntil(undefined)).toBe('parked until the reset, daily quota');
  });
});

describe('activity summaries', () => {
  it('name the batch and its first three fields, and mark a re-ask', () => {
    expect(batchSummary({ batchId: 'b0', fieldKeys: ['legal_name', 'vat', 'iban', 'swift', 'bic'] })).toBe('batch b0: 5 fields (legal_name, vat, iban +2 more)');
    expect(batchSummary({ batchId: 'b3.r', fieldKeys: ['vat'], corrections: { vat: 'rejected: not a VAT number' } })).toBe('batch b3.r re-ask: 1 field (vat)');
    expect(fieldsSummary('passages', ['a', 'b'])).toBe('passages: 2 fields (a, b)');
  });

  it('ride on each call through the per-call options, over the proxy options, for the activities given', async () => {
    type Acts = { extract(input: { keys: string[] }): Promise<number>; other(input: string): Promise<string> };
    const calls: { name: string; options: ActivityOptions; args: unknown[] }[] = [];
    // A stand-in for the SDK's proxy: this checks only how withSummaries calls it.
    const act = (name: string) =>
      Object.assign(async () => 0, {
        executeWithOptions: async (options: ActivityOptions, args: unknown[]) => {
          calls.push({ name, options, args });
          return args.length;
        },
      });
    const proxy = { extract: act('extract'), other: act('other') } as unknown as ActivityInterfaceFor<Acts>;
    const summarized = withSummaries(proxy, { extract: (i) => `extract ${i.keys.length}` });

    await summarized.extract({ keys: ['a', 'b'] });
    await summarized.extract.executeWithOptions({ startToCloseTimeout: '1s' }, [{ keys: ['a'] }]);
    expect(calls).toEqual([
      { name: 'extract', options: { summary: 'extract 2' }, args: [{ keys: ['a', 'b'] }] },
      { name: 'extract', options: { summary: 'extract 1', startToCloseTimeout: '1s' }, args: [{ keys: ['a'] }] },
    ]);
    expect(summarized.other).toBe(proxy.other);
  });
});
