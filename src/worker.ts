/** @module Builds the two workers: `fillflow` (workflows and light activities) and `fillflow-gemini`
 * (Gemini calls only, rate limited by the server for every worker on the queue). */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PayloadCodec } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createFillActivities, createGeminiActivities } from './activities/index.js';
import { dataConverterWith, payloadCodecFromConfig } from './codec/data-converter.js';
import type { FillflowConfig } from './config.js';
import { geminiQueueRate } from './core/task-queue-rate.js';
import { apiKeyIdentity } from './gemini/key-identity.js';
import { createGeminiClient, type GeminiClient } from './gemini/gemini-client.js';
import type { Store } from './store/store.js';

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
}

export interface WorkerSet {
  workers: Worker[];
  /** Runs until shutdown() or a fatal error. */
  run(): Promise<void>;
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
  const workers: Worker[] = [];
  if (roles.includes('fill')) {
    workers.push(
      await Worker.create({
        connection,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        dataConverter,
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
        activities: createGeminiActivities({ store, config, keyId: apiKeyIdentity(config.gemini.apiKey), ...(gemini ? { gemini } : {}) }),
        maxConcurrentActivityTaskExecutions: config.limits.concurrency,
        // Enforced by the server across all workers; every worker must send the same value, or the last poller wins.
        // A value set through the task-queue config API (`fillflow limits set`) overrides it on every partition.
        maxTaskQueueActivitiesPerSecond: geminiQueueRate(config.queueRate, config.limits.requestsPerMinute),
      }),
    );
  }
  return {
    workers,
    run: async () => {
      await Promise.all(workers.map((w) => w.run()));
    },
    shutdown: () => {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    },
  };
}
