/** @module The TypeScript client: start a fill, follow its progress, wait for its result, cancel it.
 * Needs only a Temporal connection; templates and documents must already be in the store the workers use.
 * Fills start through the one start path every edge uses (src/fill-start.ts).
 * @example
 * const ff = await FillflowClient.connect(); // TEMPORAL_ADDRESS, else 127.0.0.1:7233
 * const { fillId } = await ff.startFill({ templateId: 'nda', documentIds: [id] });
 * const result = await ff.waitForFill(fillId, { onProgress: (p) => console.log(p.phase) });
 */
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { dataConverterWith, payloadCodecFromConfig } from './codec/data-converter.js';
import { encryptionFromEnv, type FillflowConfig } from './config.js';
import type { FillInput, FillProgress } from './core/fill-records.js';
import type { FillResult } from './core/types.js';
import { startFill, type FillRequest } from './fill-start.js';
import type { Store } from './store/store.js';
import { connectClient, LOCAL_TEMPORAL_ADDRESS, temporalConnectionSettings } from './temporal-connection.js';
import { progressQuery, resumeSignal } from './workflows/messages.js';

export type { FillInput, FillOptions, FillProgress } from './core/fill-records.js';
export type { FillRequest } from './fill-start.js';
export type { FillResult, FieldResult, TemplateSpec, FieldSpec, FieldValue, Usage } from './core/types.js';
export { WorkflowNotFoundError } from '@temporalio/client';

/** Where the cluster is when no address is given and TEMPORAL_ADDRESS is unset: `fillflow dev`'s server. */
export const DEFAULT_TEMPORAL_ADDRESS = LOCAL_TEMPORAL_ADDRESS;

/** @deprecated the same as {@link FillRequest} */
export type StartFillRequest = FillRequest;

/** What a client starts fills with, beyond its connection; an edge that has them passes its own. */
export interface FillflowClientOptions {
  /** @default 'fillflow' */
  taskQueue?: string;
  /** The edge's configuration (profile, config file, environment, flags). Absent: the workflow's own defaults. */
  config?: Readonly<FillflowConfig>;
  /** Where a started fill is recorded at once (absent, the workflow's first activity records it); one that reads templates also names the template in the fill's summary. */
  store?: Pick<Store, 'createFill'> & Partial<Pick<Store, 'getTemplate'>>;
}

export type FillState =
  | { status: 'running'; progress: FillProgress }
  /** Parked on an exhausted daily quota until `resumeAt` (ISO 8601), or a `resume` signal. */
  | { status: 'paused-quota'; progress: FillProgress; resumeAt: string }
  | { status: 'completed'; progress?: FillProgress; result: FillResult }
  | { status: 'failed' | 'cancelled' | 'terminated' | 'timed_out'; error: string };

export class FillflowClient {
  constructor(
    readonly temporal: Client,
    private readonly options: FillflowClientOptions = {},
  ) {}

  /**
   * Connects to Temporal. Another service needs nothing but this, and reads only its connection settings, through
   * Temporal's environment configuration (src/temporal-connection.ts): the address from `opts`, else TEMPORAL_ADDRESS,
   * else the profile TEMPORAL_PROFILE names in temporal.toml, else 127.0.0.1:7233; the namespace likewise, else
   * `default`; TEMPORAL_API_KEY and TEMPORAL_TLS* (an API key turns TLS on) for Temporal Cloud or a cluster with mTLS.
   * Fills it starts take the workflow's defaults for options not given, unless `opts.config` is given.
   * Payloads are encrypted as the workers encrypt them: with `opts.codec`, else the keys in FILLFLOW_ENCRYPTION_KEY,
   * FILLFLOW_ENCRYPTION_KEY_ID and FILLFLOW_ENCRYPTION_OLD_KEYS (docs/encryption.md), else not at all.
   * @param opts.config, opts.store what fills started through the client resolve their options from and are recorded in
   * @throws Error naming the address tried (never the API key) when the server cannot be reached
   * @throws ConfigError when an encryption key in the environment is not base64 of 32 bytes
   */
  static async connect(
    opts: { address?: string; namespace?: string; codec?: PayloadCodec } & Pick<FillflowClientOptions, 'config' | 'store'> = {},
  ): Promise<FillflowClient> {
    const settings = temporalConnectionSettings({ address: opts.address, namespace: opts.namespace });
    const codec = opts.codec ?? payloadCodecFromConfig({ encryption: encryptionFromEnv(process.env) });
    const connection = await connectClient(settings);
    return new FillflowClient(new Client({ connection, namespace: settings.namespace, dataConverter: dataConverterWith(codec) }), {
      ...(opts.config ? { config: opts.config } : {}),
      ...(opts.store ? { store: opts.store } : {}),
    });
  }

  /** Starts a fill; returns its ID and the input the workflow was started with (options resolved). */
  async startFill(req: FillRequest): Promise<{ fillId: string; input: FillInput }> {
    return startFill({ temporal: this.temporal, ...this.options }, req);
  }

  async getProgress(fillId: string): Promise<FillProgress> {
    return this.temporal.workflow.getHandle(fillId).query(progressQuery);
  }

  /** The fill's state; throws WorkflowNotFoundError for an unknown ID. */
  async getFill(fillId: string): Promise<FillState> {
    const handle = this.temporal.workflow.getHandle(fillId);
    const { status } = await handle.describe();
    switch (status.name) {
      case 'RUNNING':
      {
        // A fill whose first workflow task has not run yet cannot answer a query; it is still starting.
        const progress = await handle.query(progressQuery).catch(() => startingProgress(fillId));
        if (progress.phase === 'paused-quota' && progress.resumeAt) return { status: 'paused-quota', progress, resumeAt: progress.resumeAt };
        return { status: 'running', progress };
      }
      case 'COMPLETED':
        return { status: 'completed', result: (await handle.result()) as FillResult };
      case 'CANCELLED':
        return { status: 'cancelled', error: 'the fill was cancelled' };
      case 'TERMINATED':
        return { status: 'terminated', error: 'the fill was terminated' };
      case 'TIMED_OUT':
        return { status: 'timed_out', error: 'the fill timed out' };
      default:
        try {
          await handle.result();
        } catch (err) {
          return { status: 'failed', error: describeFailure(err) };
        }
        return { status: 'failed', error: `unexpected workflow status ${status.name}` };
    }
  }

  /** Waits for the result, calling `onProgress` whenever progress changes. Throws with the fill's failure. */
  async waitForFill(fillId: string, opts: { onProgress?: (p: FillProgress) => void; pollMs?: number } = {}): Promise<FillResult> {
    const handle = this.temporal.workflow.getHandle(fillId);
    const done = handle.result() as Promise<FillResult>;
    if (!opts.onProgress) return done.catch((err) => Promise.reject(new Error(describeFailure(err))));
    let finished = false;
    const settled = done.finally(() => {
      finished = true;
    });
    let last = '';
    while (!finished) {
      try {
        const p = await handle.query(progressQuery);
        const key = JSON.stringify(p);
        if (key !== last) {
          last = key;
          opts.onProgress(p);
        }
      } catch {
        // The workflow may not have run its first task yet, or has just closed; the result says which.
      }
      await Promise.race([settled.catch(() => undefined), sleep(opts.pollMs ?? 500)]);
    }
    return done.catch((err) => Promise.reject(new Error(describeFailure(err))));
  }

  /** Ends a paused fill's wait (a parked daily quota) at once. */
  async resume(fillId: string): Promise<void> {
    await this.temporal.workflow.getHandle(fillId).signal(resumeSignal);
  }

  async cancel(fillId: string): Promise<void> {
    await this.temporal.workflow.getHandle(fillId).cancel();
  }

  async close(): Promise<void> {
    await this.temporal.connection.close();
  }
}

/** The innermost message of a workflow failure: the one that says what went wrong. */
export function describeFailure(err: unknown): string {
  if (err instanceof WorkflowNotFoundError) return `no fill with that ID: ${err.message}`;
  let e: unknown = err;
  let message = err instanceof Error ? err.message : String(err);
  while (e && typeof e === 'object' && 'cause' in e && (e as { cause?: unknown }).cause) {
    e = (e as { cause: unknown }).cause;
    if (e instanceof Error && e.message) message = e.message;
  }
  return message;
}

function startingProgress(fillId: string): FillProgress {
  return { fillId, phase: 'preparing', fieldsTotal: 0, fieldsDone: 0, batchesTotal: 0, batchesDone: 0, splits: 0, notices: [] };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
