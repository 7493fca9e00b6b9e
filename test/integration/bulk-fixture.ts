/** @module Rows for bulk tests: a three-field supplier template and one small document per row, each stating
 * that row's own values, and an answer source that answers each field from the passage the prompt carries (so a
 * row's values are right only when its own document was sent). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { AnswerSource } from '../../src/emulator/index.js';
import type { TemplateSpec } from '../../src/core/types.js';
import { ingestPaths } from '../../src/retrieval/ingest.js';
import type { NewBulkRow } from '../../src/store/bulk-store.js';
import type { Store } from '../../src/store/store.js';
import { workflowBundle } from '../helpers/fill-harness.js';

export const BULK_TEMPLATE: TemplateSpec = {
  id: 'supplier-mini',
  name: 'Supplier (three fields)',
  fields: [
    { key: 'legal_name', label: 'Legal name', type: 'string' },
    { key: 'company_number', label: 'Company number', type: 'string' },
    { key: 'start_date', label: 'Contract start date', type: 'date' },
  ],
};

/** The values row `i` states. */
export function rowValues(i: number): { legal_name: string; company_number: string; start_date: string } {
  const day = String(1 + (i % 28)).padStart(2, '0');
  return { legal_name: `Harbour Lane ${i} Limited`, company_number: `0987${String(i).padStart(4, '0')}`, start_date: `2024-03-${day}` };
}

/** Row `i`'s document: a short register entry. */
export function rowDocument(i: number): string {
  const v = rowValues(i);
  return [
    `Supplier register entry ${i}.`,
    '',
    `Legal name: ${v.legal_name}.`,
    `Company number: ${v.company_number}.`,
    `Contract start: ${v.start_date}.`,
    '',
    'The supplier keeps its certificates current and tells us of any change of address.',
    '',
  ].join('\n');
}

/** Reads a field's value back from the passage that states it, as a model would; null when the prompt lacks it. */
export const registerAnswers: AnswerSource = ({ promptText, schema }) => {
  const keys = Object.keys((schema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
  const labels: Record<string, string> = { legal_name: 'Legal name', company_number: 'Company number', start_date: 'Contract start' };
  return Object.fromEntries(
    keys.map((key) => {
      const m = new RegExp(`${labels[key] ?? key}: ([^\\n]+?)\\.\\n`).exec(promptText);
      return [key, m ? { value: m[1], quote: `${labels[key]}: ${m[1]}` } : { value: null, quote: null }];
    }),
  );
};

/** Writes and stores `n` rows' documents (row IDs `r000`…) and the template; returns the rows. */
export async function storeRows(store: Store, dir: string, n: number, first = 0): Promise<NewBulkRow[]> {
  await store.putTemplate(BULK_TEMPLATE);
  const docs = join(dir, 'bulk-docs');
  mkdirSync(docs, { recursive: true });
  const rows: NewBulkRow[] = [];
  for (let i = first; i < first + n; i++) {
    const path = join(docs, `entry-${i}.txt`);
    writeFileSync(path, rowDocument(i));
    const [doc] = await ingestPaths(store, [path]);
    rows.push({ row: `r${String(i).padStart(3, '0')}`, templateId: BULK_TEMPLATE.id, documentIds: [doc!.id] });
  }
  return rows;
}

/** Row `r012` → 12. */
export function rowNumber(row: string): number {
  return Number(row.slice(1));
}

/** The bulk's latest run replays on today's code from its history (what a query of a closed bulk does). */
export async function expectReplays(client: Client, bulkId: string): Promise<void> {
  const history = await client.workflow.getHandle(bulkId).fetchHistory();
  await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, bulkId);
}
