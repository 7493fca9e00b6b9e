/** @module Connects to Temporal (or starts a local dev server when no TEMPORAL_ADDRESS is set) and
 * optionally runs the workers in this process: the embedded default behind `fillflow fill` and `dev`. */
import { NativeConnection } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { FillflowClient } from '../client.js';
import type { FillflowConfig } from '../config.js';
import type { GeminiClient } from '../gemini/gemini-client.js';
import type { Store } from '../store/store.js';
import { startDevServer, type DevServer, type DevServerOptions } from '../temporal/dev-server.js';
import { createWorkers, type WorkerSet } from '../worker.js';
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
  let address = config.temporal.address;
  if (address === undefined) {
    server = await startDevServer({
      port: 0,
      headless: true,
      namespace: config.temporal.namespace,
      // Fills publish their status (and, when parked on the daily quota, their resume time) as search attributes.
      searchAttributes: DEV_SERVER_SEARCH_ATTRIBUTES,
      ...opts.server,
    });
    address = server.address;
  }
  let workerConnection: NativeConnection | undefined;
  let workers: WorkerSet | undefined;
  let running: Promise<void> | undefined;
  const connection = await Connection.connect({ address }).catch((err: Error) => {
    throw new Error(`cannot reach Temporal at ${address}: ${err.message}`);
  });
  // Fills started through this stack resolve their options from this configuration and are recorded in its store.
  const client = new FillflowClient(new Client({ connection, namespace: config.temporal.namespace }), { config, store: opts.store });
  try {
    if (opts.workers) {
      workerConnection = await NativeConnection.connect({ address });
      workers = await createWorkers({
        config,
        connection: workerConnection,
        store: opts.store,
        ...(opts.gemini ? { gemini: opts.gemini } : {}),
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
