/** @module Connects to Temporal (or starts a local dev server when no TEMPORAL_ADDRESS is set) and
 * optionally runs the workers in this process: the embedded default behind `fillflow fill` and `dev`. */
import type { NativeConnection } from '@temporalio/worker';
import { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { FillflowClient } from '../client.js';
import { dataConverterWith, payloadCodecFromConfig } from '../codec/data-converter.js';
import type { FillflowConfig } from '../config.js';
import type { GeminiClient } from '../gemini/gemini-client.js';
import type { Store } from '../store/store.js';
import { startDevServer, type DevServer, type DevServerOptions } from '../temporal/dev-server.js';
import { createWorkers, type WorkerSet } from '../worker.js';
import { connectClient, connectNative, localServerSettings, temporalConnectionSettings } from '../temporal-connection.js';
import { DEV_SERVER_SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';
import { installRuntimeLogger } from './runtime-logger.js';

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
  stop(): Promise<void>;
}

export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  installRuntimeLogger();
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
      });
      running = workers.run();
    }
  } catch (err) {
    await connection.close();
    await server?.stop();
    throw err;
  }
  return {
    address,
    ...(server ? { server } : {}),
    client,
    ...(workers ? { workers } : {}),
    async stop() {
      workers?.shutdown();
      await running?.catch(() => undefined);
      await workerConnection?.close();
      await connection.close();
      await server?.stop();
    },
  };
}
