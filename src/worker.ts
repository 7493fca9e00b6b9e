/** @module Builds the two workers: `fillflow` (workflows and light activities) and `fillflow-gemini`
 * (Gemini calls only, rate limited by the server for every worker on the queue). */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PayloadCodec } from '@temporalio/common';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createFillActivities, createGeminiActivities } from './activities/index.js';
import { dataConverterWith, payloadCodecFromConfig } from './codec/data-converter.js';
import type { FillflowConfig } from './config.js';
import { geminiQueueRate } from './core/task-queue-rate.js';
import { apiKeyIdentity } from './gemini/key-identity.js';
import { createGeminiClient, type GeminiClient } from './gemini/gemini-client.js';
import type { Store } from './store/store.js';
import { describePromotion, promoteWhenPolling, versionName, workerDeploymentOptions, type PromotePolicy, type Promotion } from './temporal/worker-deployment.js';

/** The workflow entry matching how this module runs: `.ts` under tsx and vitest, `.js` when compiled. */
export const workflowsPath = fileURLToPath(new URL(`./workflows/index${extname(fileURLToPath(import.meta.url))}`, import.meta.url));

export interface WorkerSetOptions {
  config: Readonly<FillflowConfig>;
  connection: NativeConnection;
  store: Store;
  /** Overrides the client built from config (tests point one at the emulator). */
  gemini?: GeminiClient;
  /** Which workers this process runs. @default both */
  roles?: ('fill' | 'gemini')[];
  /** A prebuilt bundle saves the ~2 s webpack step per worker start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  maxCachedWorkflows?: number;
  /**
   * The payload codec (src/codec/) a process built once from its configuration and shares with its client.
   * @default built from `config.encryption` (with no key configured it writes in clear)
   */
  codec?: PayloadCodec;
  /**
   * When run() makes this set's deployment version (`config.versioning`) current: `if-none` only for a deployment with no
   * current version yet (its first deploy); `always` for a server whose only workers these are (src/runtime/local-stack.ts).
   * @default 'if-none'
   */
  promote?: PromotePolicy;
}

export interface WorkerSet {
  workers: Worker[];
  /** `deployment:buildId`: the worker deployment version both workers poll as. */
  version: string;
  /** Runs until shutdown() or a fatal error. */
  run(): Promise<void>;
  /** Settles, never rejecting, once run() has made the version current or left another current, per `promote`. */
  promotion: Promise<Promotion>;
  shutdown(): void;
}

export function geminiClientFromConfig(config: Readonly<FillflowConfig>): GeminiClient | undefined {
  const { apiKey, baseUrl, model, timeoutMs } = config.gemini;
  if (!apiKey) return undefined;
  return createGeminiClient({ apiKey, model, timeoutMs, ...(baseUrl ? { baseUrl } : {}) });
}

export async function createWorkers(opts: WorkerSetOptions): Promise<WorkerSet> {
  const { config, connection, store } = opts;
  const roles = opts.roles ?? ['fill', 'gemini'];
  // Both workers encrypt what they write to history; the fill worker's workflow payloads pass the codec
  // outside the sandbox, on the way to and from the server.
  const dataConverter = dataConverterWith(opts.codec ?? payloadCodecFromConfig(config));
  // One version for both queues, so a pinned fill's Gemini calls also run on the code it started on.
  const workerDeployment = workerDeploymentOptions(config.versioning);
  const workers: Worker[] = [];
  if (roles.includes('fill')) {
    workers.push(
      await Worker.create({
        connection,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        dataConverter,
        workerDeploymentOptions: workerDeployment,
        ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath }),
        activities: createFillActivities({ store, config }),
        ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
      }),
    );
  }
  if (roles.includes('gemini')) {
    const gemini = opts.gemini ?? geminiClientFromConfig(config);
    workers.push(
      await Worker.create({
        connection,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.geminiTaskQueue,
        dataConverter,
        workerDeploymentOptions: workerDeployment,
        activities: createGeminiActivities({ store, config, keyId: apiKeyIdentity(config.gemini.apiKey), ...(gemini ? { gemini } : {}) }),
        maxConcurrentActivityTaskExecutions: config.limits.concurrency,
        // Enforced by the server across all workers; every worker must send the same value, or the last poller wins.
        // A value set through the task-queue config API (`fillflow limits set`) overrides it on every partition.
        maxTaskQueueActivitiesPerSecond: geminiQueueRate(config.queueRate, config.limits.requestsPerMinute),
      }),
    );
  }
  const stopped = new AbortController();
  let settle!: (p: Promise<Promotion>) => void;
  const promotion = new Promise<Promotion>((resolve) => (settle = resolve));
  return {
    workers,
    version: versionName(config.versioning),
    promotion,
    run: async () => {
      const running = Promise.all(workers.map((w) => w.run()));
      const policy = opts.promote ?? 'if-none';
      const promoting = promoteWhenPolling({ service: connection.workflowService, namespace: config.temporal.namespace, versioning: config.versioning, taskQueues: workers.map((w) => w.options.taskQueue), policy, signal: stopped.signal });
      // Workers that never get a version made current receive no new fills: say so even when nobody awaits the promotion.
      settle(
        promoting.then((p) => {
          if (p.outcome === 'failed') Runtime.instance().logger.warn(describePromotion(p));
          return p;
        }),
      );
      try {
        await running;
      } finally {
        stopped.abort();
      }
    },
    shutdown: () => {
      stopped.abort();
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    },
  };
}
