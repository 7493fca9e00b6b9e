/** @module The one start path of a fill, shared by every edge (the CLI, the HTTP API, FillflowClient):
 * make the fill ID, resolve its options, record it in the store when the edge has one, and start the
 * `fillTemplate` workflow with its search attributes and the summary and details an operator reads in the
 * Temporal UI (src/workflows/operator-view.ts). Options resolve in one order:
 * the workflow's own defaults, then the configuration (profile, config file, environment, flags), then
 * the fill's own options; the tenant's fairness key is the API key's short hash, computed here, so the
 * workflow never sees the key. */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FillflowConfig } from './config.js';
import { DEFAULT_FILL_OPTIONS } from './core/fill-options.js';
import type { FillInput, FillOptions } from './core/fill-records.js';
import { TASK_QUEUE } from './core/task-queues.js';
import { apiKeyIdentity } from './gemini/key-identity.js';
import type { Store } from './store/store.js';
// Type only: a starting process never loads workflow code; it starts the workflow by name.
import type { fillTemplate } from './workflows/fill-template.js';
import { fillStaticDetails, fillSummary, type FillSummaryFacts } from './workflows/operator-view.js';
import { FILL_STATUS, FILL_TEMPLATE } from './workflows/search-attributes.js';

export interface FillRequest {
  templateId: string;
  documentIds: string[];
  /** The fill's own options; they win over the configuration's. */
  options?: Partial<FillOptions>;
  /** Defaults to a new `fill-<uuid>`; the workflow ID is the fill ID. */
  fillId?: string;
}

/** What an edge starts fills with. */
export interface FillStarter {
  temporal: Client;
  /** @default 'fillflow' */
  taskQueue?: string;
  /** The edge's configuration: its profile, config file, environment and flags. Absent: the workflow's defaults. */
  config?: Readonly<FillflowConfig>;
  /**
   * Where the fill is recorded before it starts; absent, the workflow's first activity records it. A store that
   * can read templates also names the template and counts its fields in the fill's summary.
   */
  store?: Pick<Store, 'createFill'> & Partial<Pick<Store, 'getTemplate'>>;
}

/**
 * The options a fill runs with: the workflow's defaults, the configuration's limits and fill defaults, the
 * tenant's fairness key, then the fill's own options.
 * @example resolveFillOptions(loadConfig(), { priority: 'bulk' })
 */
export function resolveFillOptions(config: Readonly<FillflowConfig> | undefined, own: Partial<FillOptions> = {}): FillOptions {
  const configured: Partial<FillOptions> = config
    ? {
        maxBatchSize: config.limits.maxBatchSize,
        maxInputTokens: config.limits.maxInputTokens,
        maxOutputTokens: config.limits.maxOutputTokens,
        ...config.fill,
        ...(config.gemini.apiKey ? { fairnessKey: apiKeyIdentity(config.gemini.apiKey) } : {}),
      }
    : {};
  const defined = Object.fromEntries(Object.entries(own).filter(([, v]) => v !== undefined)) as Partial<FillOptions>;
  return { ...DEFAULT_FILL_OPTIONS, ...configured, ...defined };
}

/** A new fill ID: an edge that must name the fill before it starts (the CLI's first line) makes it here. */
export function newFillId(): string {
  return `fill-${randomUUID()}`;
}

/** Starts one fill; returns its ID and the exact input the workflow was started with. */
export async function startFill(starter: FillStarter, req: FillRequest): Promise<{ fillId: string; input: FillInput }> {
  const fillId = req.fillId ?? newFillId();
  const input: FillInput = { fillId, templateId: req.templateId, documentIds: req.documentIds, options: resolveFillOptions(starter.config, req.options) };
  await starter.store?.createFill({ fillId, templateId: req.templateId, documentIds: req.documentIds });
  const template = await starter.store?.getTemplate?.(req.templateId);
  const facts: FillSummaryFacts = {
    templateId: req.templateId,
    ...(template ? { template: { name: template.name, fields: template.fields.length } } : {}),
    documents: req.documentIds.length,
    // A fill of its own sends its requests itself, at the standard tier; only a bulk's rows take other routes.
    route: 'standard',
    priority: input.options.priority ?? 'interactive',
  };
  const start = (options: FillOptions) =>
    starter.temporal.workflow.start<typeof fillTemplate>('fillTemplate', {
      workflowId: fillId,
      taskQueue: starter.taskQueue ?? TASK_QUEUE,
      args: [{ ...input, options }],
      staticSummary: fillSummary(facts),
      staticDetails: fillStaticDetails(options),
      ...(options.searchAttributes !== false
        ? { typedSearchAttributes: [{ key: FILL_STATUS, value: 'running' }, { key: FILL_TEMPLATE, value: req.templateId }] }
        : {}),
    });
  try {
    await start(input.options);
  } catch (err) {
    // A cluster without Fillflow's search attributes registered refuses them at start; the fill runs
    // without them (still visible in its progress query and current details) rather than not at all.
    if (input.options.searchAttributes === false || !/search attribute/i.test(errorText(err))) throw err;
    input.options = { ...input.options, searchAttributes: false };
    await start(input.options);
  }
  return { fillId, input };
}

/** The messages of an error and its causes, joined: a refused start names the attribute only in its cause. */
function errorText(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    parts.push(String((e as { message?: unknown }).message ?? e), String((e as { details?: unknown }).details ?? ''));
  }
  return parts.join(' ');
}
