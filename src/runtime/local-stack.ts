/** @module Connects to Temporal (or starts a local dev server when no TEMPORAL_ADDRESS is set) and
 * optionally runs the workers in this process: the embedded default behind `fillflow fill` and `dev`. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { NativeConnection } from '@temporalio/worker';
import { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { FillflowClient } from '../client.js';
import { dataConverterWith, payloadCodecFromConfig } from '../codec/data-converter.js';
import type { FillflowConfig } from '../config.js';
import type { GeminiClient } from '../gemini/gemini-client.js';
import type { Store } from '../store/store.js';
import { startDevServer, type DevServer, type DevServerOptions } from '../temporal/dev-server.js';
import { describePromotion } from '../temporal/worker-deployment.js';
import { createWorkers, type WorkerSet } from '../worker.js';
import { connectClient, connectNative, localServerSettings, temporalConnectionSettings } from '../temporal-connection.js';
import { DEV_SERVER_SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';
import { installRuntime } from './runtime.js';

export interface LocalStackOptions {
  config: Readonly<FillflowConfig>;
  store: Store;
  /** Run the fill and Gemini workers in this process. */
  workers: boolean;
  /** Dev server settings when no TEMPORAL_ADDRESS is configured. @default a headless in-memory server on a free port */
  server?: DevServerOptions;
  gemini?: GeminiClient;
  /** The payload codec the client and the workers share (`fillflow dev` gives its codec server the same one). @default built from `config.encryption` */
  codec?: PayloadCodec;
}

export interface LocalStack {
  address: string;
  /** Set when this process started the server. */
  server?: DevServer;
  client: FillflowClient;
  workers?: WorkerSet;
  /**
   * Waits for `work`, unless the dev server this process started dies first: then rejects at once with an error
   * that says so and that `unfinished` (e.g. "the fill fill-…") was not finished. Without such a server, `work` as is.
   */
  whileServing<T>(work: Promise<T>, unfinished: string): Promise<T>;
  stop(): Promise<void>;
}

/** After the server died, how long stop() gives the workers to wind down: with nothing to report to, they only retry. */
const DEAD_SERVER_DRAIN_MS = 3_000;

export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  // Keeps a runtime the caller installed first (`fillflow dev` installs one with its metrics).
  installRuntime();
  const { config } = opts;
  let server: DevServer | undefined;
  // A configured cluster is reached with the environment's credentials (TEMPORAL_API_KEY, TEMPORAL_TLS*, a profile);
  // a dev server this process starts gets none of them.
  let settings = config.temporal.address !== undefined ? temporalConnectionSettings(config.temporal) : undefined;
  if (settings === undefined) {
    server = await startDevServer({
      port: 0,
      headless: true,
      namespace: config.temporal.namespace,
      // Fills publish their status (and, when parked on the daily quota, their resume time) as search attributes.
      searchAttributes: DEV_SERVER_SEARCH_ATTRIBUTES,
      ...opts.server,
    });
    settings = localServerSettings(server.address, config.temporal.namespace);
  }
  const address = settings.address;
  let workerConnection: NativeConnection | undefined;
  let workers: WorkerSet | undefined;
  let running: Promise<void> | undefined;
  const connection = await connectClient(settings).catch(async (err: Error) => {
    await server?.stop();
    throw err;
  });
  // One codec for the client and the workers: what one encrypts, the other reads.
  const codec = opts.codec ?? payloadCodecFromConfig(config);
  // Fills started through this stack resolve their options from this configuration and are recorded in its store.
  const client = new FillflowClient(new Client({ connection, namespace: settings.namespace, dataConverter: dataConverterWith(codec) }), {
    config,
    store: opts.store,
  });
  try {
    if (opts.workers) {
      workerConnection = await connectNative(settings);
      workers = await createWorkers({
        config,
        connection: workerConnection,
        store: opts.store,
        ...(opts.gemini ? { gemini: opts.gemini } : {}),
        codec,
        // A server this process started has no workers but these (`fillflow dev`'s keeps its state across runs, so a
        // new build takes over from the last one); a configured cluster's versions are promoted by its operator.
        promote: server ? 'always' : 'if-none',
      });
      running = workers.run();
      // Until a version is current the server hands new fills to no versioned worker: fail here, not with a fill that waits.
      const promotion = await workers.promotion;
      if (promotion.outcome === 'failed') throw new Error(describePromotion(promotion));
    }
  } catch (err) {
    await connection.close();
    await server?.stop();
    throw err;
  }
  // A dead server ends the workers at once: their polls and reports could only be retried until someone kills us.
  let serverDied = false;
  void server?.died.then(() => {
    serverDied = true;
    workers?.shutdown();
  });
  return {
    address,
    ...(server ? { server } : {}),
    client,
    ...(workers ? { workers } : {}),
    whileServing<T>(work: Promise<T>, unfinished: string): Promise<T> {
      if (!server) return work;
      const died = server.died.then((err) => Promise.reject(new Error(`${err.message}; ${unfinished} was not finished`)));
      return Promise.race([work, died]);
    },
    async stop() {
      workers?.shutdown();
      const drained = running?.catch(() => undefined);
      if (serverDied) await Promise.race([drained, sleep(DEAD_SERVER_DRAIN_MS, undefined, { ref: false })]);
      else await drained;
      // Closing a connection its workers still hold fails; after a dead server that is expected and harmless.
      await workerConnection?.close().catch((err: unknown) => {
        if (!serverDied) throw err;
      });
      await connection.close();
      await server?.stop();
    },
  };
}
