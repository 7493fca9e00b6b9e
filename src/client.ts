/** @module The TypeScript client: start a fill, follow its progress, wait for its result, cancel it.
 * Needs only a Temporal connection; templates and documents must already be in the store the workers use.
 * @example
 * const ff = await FillflowClient.connect({ address: 'localhost:7233' });
 * const { fillId } = await ff.startFill({ templateId: 'nda', documentIds: [id] });
 * const result = await ff.waitForFill(fillId, { onProgress: (p) => console.log(p.phase) });
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import type { FillOptions, FillProgress } from './core/fill-records.js';
import { TASK_QUEUE } from './core/task-queues.js';
import type { FillResult } from './core/types.js';
import { fillTemplate } from './workflows/fill-template.js';
import { progressQuery, resumeSignal } from './workflows/messages.js';

export type { FillOptions, FillProgress } from './core/fill-records.js';
export type { FillResult, FieldResult, TemplateSpec, FieldSpec } from './core/types.js';

export interface StartFillRequest {
  templateId: string;
  documentIds: string[];
  options: FillOptions;
  /** Defaults to a new `fill-<uuid>`; the workflow ID is the fill ID. */
  fillId?: string;
}

export type FillState =
  | { status: 'running'; progress: FillProgress }
  | { status: 'completed'; progress?: FillProgress; result: FillResult }
  | { status: 'failed' | 'cancelled' | 'terminated' | 'timed_out'; error: string };

export class FillflowClient {
  constructor(
    readonly temporal: Client,
    private readonly taskQueue: string = TASK_QUEUE,
  ) {}

  static async connect(opts: { address: string; namespace?: string }): Promise<FillflowClient> {
    const connection = await Connection.connect({ address: opts.address });
    return new FillflowClient(new Client({ connection, namespace: opts.namespace ?? 'default' }));
  }

  async startFill(req: StartFillRequest): Promise<{ fillId: string }> {
    const fillId = req.fillId ?? `fill-${randomUUID()}`;
    await this.temporal.workflow.start(fillTemplate, {
      workflowId: fillId,
      taskQueue: this.taskQueue,
      args: [{ fillId, templateId: req.templateId, documentIds: req.documentIds, options: req.options }],
      staticSummary: `fill template ${req.templateId} from ${req.documentIds.length} document(s)`,
    });
    return { fillId };
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
        return { status: 'running', progress: await handle.query(progressQuery) };
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

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
