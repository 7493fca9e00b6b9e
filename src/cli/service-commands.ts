/** @module The long-running commands: `server` (dev server alone), `worker`, `api` (the HTTP API alone), and `dev`
 * (server, workers and API). */
import { resolve } from 'node:path';
import { Client } from '@temporalio/client';
import { requireTokenBeyondLoopback, startApi } from '../api/start-api.js';
import { startCodecServer, type RunningCodecServer } from '../codec/codec-server.js';
import { dataConverterWith, payloadCodecFromConfig } from '../codec/data-converter.js';
import { FillflowClient } from '../client.js';
import { ConfigError, loadConfig, type FillflowConfig } from '../config.js';
import { startLocalStack } from '../runtime/local-stack.js';
import { installRuntime, MetricsStartError } from '../runtime/runtime.js';
import { openStore, openStoreReady } from '../store/open-store.js';
import { startDevServer } from '../temporal/dev-server.js';
import { describePromotion } from '../temporal/worker-deployment.js';
import type { Connection } from '@temporalio/client';
import { connectClient, connectNative, describeTemporal, temporalConnectionSettings, type TemporalConnectionSettings } from '../temporal-connection.js';
import { createWorkers } from '../worker.js';
import { DEV_SERVER_SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';
import { CliError, ExitCode } from './cli-error.js';
import { limitOverrides, type LimitFlagValues } from './limit-flags.js';

/** The configuration with the command's quota flags on top; a bad value is a usage error naming it. */
function configWithFlags(opts: LimitFlagValues) {
  try {
    return loadConfig(process.env, limitOverrides(opts));
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
}

/** The address `fillflow server` and `dev` listen on, and where `worker` looks when TEMPORAL_ADDRESS is unset. */
export const LOCAL_ADDRESS = '127.0.0.1:7233';
const LOCAL_PORT = 7233;
const LOCAL_UI_PORT = 8233;

/** How `worker` and `api` reach Temporal: TEMPORAL_ADDRESS (or a profile's), else 127.0.0.1:7233, with the environment's credentials. */
function connectionSettings(config: Readonly<FillflowConfig>): TemporalConnectionSettings {
  try {
    return temporalConnectionSettings({ address: config.temporal.address ?? LOCAL_ADDRESS, namespace: config.temporal.namespace });
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

/** A connection for the commands that talk to Temporal directly (`limits`, `deploy`): a server not reached is exit 3. */
export async function connectForCommand(config: Readonly<FillflowConfig>): Promise<Connection> {
  return connectClient(connectionSettings(config)).catch((err: Error) => {
    throw new CliError(err.message, ExitCode.unavailable);
  });
}

type Io = { stderr: (line: string) => void; stdout: (line: string) => void };

/**
 * The process's Temporal runtime, serving metrics when FILLFLOW_METRICS_ADDRESS is set. Before any connection: the
 * runtime cannot be changed once one exists, and an address it cannot listen on stops the command at start.
 */
function installRuntimeFor(config: Readonly<FillflowConfig>) {
  try {
    return installRuntime(config.metricsAddress !== undefined ? { metricsAddress: config.metricsAddress } : {});
  } catch (err) {
    if (err instanceof MetricsStartError) throw new CliError(err.message, ExitCode.unavailable);
    throw err;
  }
}

/** What the ready line says about metrics. */
function metricsNote(metrics: { address: string } | undefined): string {
  return metrics ? `; metrics on http://${metrics.address}/metrics` : '';
}

/** Resolves when SIGINT or SIGTERM arrives. */
function untilSignal(): Promise<string> {
  return new Promise((done) => {
    process.once('SIGINT', () => done('SIGINT'));
    process.once('SIGTERM', () => done('SIGTERM'));
  });
}

/** @param codecEndpoint the codec server the UI decodes payloads through, when payloads are encrypted */
export function persistentServerOptions(cwd = process.cwd(), codecEndpoint?: string) {
  return {
    port: LOCAL_PORT,
    uiPort: LOCAL_UI_PORT,
    headless: false,
    dbFilename: resolve(cwd, '.fillflow', 'temporal.db'),
    searchAttributes: DEV_SERVER_SEARCH_ATTRIBUTES,
    ...(codecEndpoint !== undefined ? { uiCodecEndpoint: codecEndpoint } : {}),
  };
}

/**
 * With an encryption key configured, the codec server the local UI decodes payloads through (on
 * FILLFLOW_CODEC_PORT, loopback only), so an operator at this machine still reads values in the UI.
 */
async function codecServerForUi(config: Readonly<FillflowConfig>, codec = payloadCodecFromConfig(config)): Promise<RunningCodecServer | undefined> {
  if (!config.encryption) return undefined;
  return startCodecServer({
    codec,
    corsOrigins: config.codecServer.corsOrigins,
    port: config.codecServer.port,
    ...(config.apiToken !== undefined ? { token: config.apiToken } : {}),
  }).catch((err: Error) => {
    throw new CliError(err.message, ExitCode.unavailable);
  });
}

/** What the ready line says about the codec server; the UI cannot send FILLFLOW_API_TOKEN, so say so when it is set. */
function codecNote(config: Readonly<FillflowConfig>, codecServer: RunningCodecServer | undefined): string {
  if (!codecServer) return '';
  const token = config.apiToken !== undefined ? ' (bearer token required: the UI cannot send it, see docs/encryption.md)' : '';
  return `, payloads encrypted; UI decodes through ${codecServer.url}${token}`;
}

export async function serverCommand(io: Io, opts: { json?: boolean } = {}): Promise<number> {
  const config = configWithFlags({});
  const codecServer = await codecServerForUi(config);
  const server = await startDevServer(persistentServerOptions(process.cwd(), codecServer?.url)).catch(async (err: Error) => {
    await codecServer?.close();
    throw new CliError(err.message, ExitCode.unavailable);
  });
  io.stdout(
    opts.json
      ? JSON.stringify({ ready: true, temporal: server.address, ui: server.uiUrl ?? null, codec: codecServer?.url ?? null })
      : `temporal server ready at ${server.address}; UI ${server.uiUrl ?? '(headless)'}${codecNote(config, codecServer)}`,
  );
  await Promise.race([untilSignal(), server.exited]);
  await server.stop();
  await codecServer?.close();
  return ExitCode.ok;
}

export async function workerCommand(opts: { role?: string; json?: boolean } & LimitFlagValues, io: Io): Promise<number> {
  const config = configWithFlags(opts);
  const roles = opts.role === undefined || opts.role === 'all' ? (['fill', 'gemini'] as const) : ([opts.role] as const);
  for (const r of roles) if (r !== 'fill' && r !== 'gemini') throw new CliError(`--role must be fill, gemini or all, got "${r}"`);
  const settings = connectionSettings(config);
  const address = describeTemporal(settings);
  const { metrics } = installRuntimeFor(config);
  const connection = await connectNative(settings).catch((err: Error) => {
    // The message names the address tried, never the API key.
    throw new CliError(err.message, ExitCode.unavailable);
  });
  // A worker fails at start, naming the store, rather than at its first activity.
  const store = await openStoreReady(config).catch(async (err: Error) => {
    await connection.close();
    throw new CliError(`cannot open the store (FILLFLOW_DB): ${err.message}`, ExitCode.unavailable);
  });
  const codec = payloadCodecFromConfig(config);
  const workers = await createWorkers({ config, connection, store, roles: [...roles] as ('fill' | 'gemini')[], codec });
  // The key's ID, never the key: an operator sees which key new history is written with.
  const encryptedWith = codec.currentKeyId ?? null;
  io.stdout(
    opts.json
      ? JSON.stringify({ ready: true, temporal: settings.address, namespace: settings.namespace, roles, model: config.gemini.model, geminiConfigured: config.gemini.apiKey !== undefined, encryptionKeyId: encryptedWith, metrics: metrics?.address ?? null })
      : `worker ready on ${address} (${roles.join(' + ')}; model ${config.gemini.model}; ` +
          `${config.gemini.apiKey ? 'Gemini configured' : 'no GEMINI_API_KEY: offline extraction only'}` +
          `${encryptedWith ? `; payloads encrypted with key ${encryptedWith}` : ''}${metricsNote(metrics)})`,
  );
  const running = workers.run();
  // Which version takes new fills (a failure is logged by the workers themselves).
  void workers.promotion.then((p) => {
    if (p.outcome === 'current' || p.outcome === 'not-promoted') io.stderr(`worker: ${describePromotion(p)}`);
  });
  await Promise.race([untilSignal(), running]);
  workers.shutdown();
  await running.catch(() => undefined);
  await connection.close();
  await store.close();
  return ExitCode.ok;
}

/**
 * `fillflow api`: the HTTP API alone, against TEMPORAL_ADDRESS (with the environment's Temporal credentials) and the
 * store at FILLFLOW_DB, on FILLFLOW_API_HOST:FILLFLOW_API_PORT. It fails at start, before it listens: beyond loopback
 * without FILLFLOW_API_TOKEN, when Temporal cannot be reached, or when the store cannot be opened (Postgres: connected
 * and migrated). Fills it starts resolve their options from this process's configuration, as `fill` and `dev` do.
 * @param opts.port the port (0 picks a free one). @default FILLFLOW_API_PORT, else 8080
 */
export async function apiCommand(io: Io, opts: { json?: boolean; port?: string } = {}): Promise<number> {
  const config = configWithFlags({});
  const port = opts.port === undefined ? undefined : Number(opts.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65_535)) {
    throw new CliError(`--port must be a whole number from 0 to 65535, got "${opts.port}"`);
  }
  // Before connecting to anything: an API open to the network without a token is refused at once.
  try {
    requireTokenBeyondLoopback(config);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const settings = connectionSettings(config);
  const { metrics } = installRuntimeFor(config);
  const store = await openStoreReady(config).catch((err: Error) => {
    throw new CliError(`cannot open the store (FILLFLOW_DB): ${err.message}`, ExitCode.unavailable);
  });
  const connection = await connectClient(settings).catch(async (err: Error) => {
    await store.close();
    throw new CliError(err.message, ExitCode.unavailable);
  });
  // The workers' codec: what the API starts and reads is encrypted as theirs is.
  const codec = payloadCodecFromConfig(config);
  const client = new FillflowClient(new Client({ connection, namespace: settings.namespace, dataConverter: dataConverterWith(codec) }), {
    config,
    store,
  });
  const api = await startApi({ store, fills: client, config, ...(metrics ? { metrics } : {}) }, port !== undefined ? { port } : {}).catch(async (err: Error) => {
    await connection.close();
    await store.close();
    throw new CliError(err.message, ExitCode.unavailable);
  });
  io.stdout(
    opts.json
      ? JSON.stringify({ ready: true, api: `${api.url}/api`, temporal: settings.address, namespace: settings.namespace, auth: config.apiToken !== undefined, metrics: metrics?.address ?? null })
      : `fillflow api ready: API ${api.url}/api${config.apiToken ? ' (bearer token required)' : ''}, temporal ${describeTemporal(settings)}, ` +
          `namespace ${settings.namespace}${metricsNote(metrics)}`,
  );
  await untilSignal();
  await api.close();
  await connection.close();
  await store.close();
  return ExitCode.ok;
}

export async function devCommand(io: Io, opts: { json?: boolean } & LimitFlagValues = {}): Promise<number> {
  const config = configWithFlags(opts);
  if (config.temporal.address !== undefined) {
    throw new CliError(`fillflow dev starts its own server on ${LOCAL_ADDRESS}; unset TEMPORAL_ADDRESS (it is ${config.temporal.address})`);
  }
  // Before anything starts: an API beyond loopback without a token is refused at once, not after the server is up.
  try {
    requireTokenBeyondLoopback(config);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const { metrics } = installRuntimeFor(config);
  const store = openStore(config);
  // One codec for the client, the workers and the UI's codec server.
  const codec = payloadCodecFromConfig(config);
  const codecServer = await codecServerForUi(config, codec).catch(async (err: Error) => {
    await store.close();
    throw err;
  });
  const stack = await startLocalStack({
    config,
    store,
    workers: true,
    server: persistentServerOptions(process.cwd(), codecServer?.url),
    codec,
  }).catch(async (err: Error) => {
    await codecServer?.close();
    await store.close();
    throw new CliError(err.message, ExitCode.unavailable);
  });
  // `ready` only once the API listens too: scripts wait for that line and then call the API.
  const api = await startApi({ store, fills: stack.client, config, ...(metrics ? { metrics } : {}) }).catch(async (err: Error) => {
    await stack.stop();
    await codecServer?.close();
    await store.close();
    throw new CliError(err.message, ExitCode.unavailable);
  });
  if (opts.json) {
    io.stdout(
      JSON.stringify({
        ready: true,
        temporal: stack.address,
        ui: stack.server?.uiUrl ?? null,
        api: `${api.url}/api`,
        store: config.dbPath,
        auth: config.apiToken !== undefined,
        codec: codecServer?.url ?? null,
        metrics: metrics?.address ?? null,
      }),
    );
  } else {
    io.stdout(
      `fillflow dev ready: temporal ${stack.address}, UI ${stack.server?.uiUrl ?? '-'}, workers on fillflow + fillflow-gemini, ` +
        `API ${api.url}/api${config.apiToken ? ' (bearer token required)' : ''}, store ${config.dbPath}${codecNote(config, codecServer)}${metricsNote(metrics)}`,
    );
  }
  await untilSignal();
  await api.close();
  await stack.stop();
  await codecServer?.close();
  await store.close();
  return ExitCode.ok;
}
