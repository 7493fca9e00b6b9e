/** @module The long-running commands: `server` (dev server alone), `worker`, and `dev` (server and workers). */
import { resolve } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { startApi } from '../api/start-api.js';
import { ConfigError, loadConfig } from '../config.js';
import { startLocalStack } from '../runtime/local-stack.js';
import { installRuntimeLogger } from '../runtime/runtime-logger.js';
import { openStore } from '../store/open-store.js';
import { startDevServer } from '../temporal/dev-server.js';
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

type Io = { stderr: (line: string) => void; stdout: (line: string) => void };

/** Resolves when SIGINT or SIGTERM arrives. */
function untilSignal(): Promise<string> {
  return new Promise((done) => {
    process.once('SIGINT', () => done('SIGINT'));
    process.once('SIGTERM', () => done('SIGTERM'));
  });
}

function persistentServerOptions(cwd = process.cwd()) {
  return {
    port: LOCAL_PORT,
    uiPort: LOCAL_UI_PORT,
    headless: false,
    dbFilename: resolve(cwd, '.fillflow', 'temporal.db'),
    searchAttributes: DEV_SERVER_SEARCH_ATTRIBUTES,
  };
}

export async function serverCommand(io: Io, opts: { json?: boolean } = {}): Promise<number> {
  const server = await startDevServer(persistentServerOptions()).catch((err: Error) => {
    throw new CliError(err.message, ExitCode.unavailable);
  });
  io.stdout(
    opts.json
      ? JSON.stringify({ ready: true, temporal: server.address, ui: server.uiUrl ?? null })
      : `temporal server ready at ${server.address}; UI ${server.uiUrl ?? '(headless)'}`,
  );
  await Promise.race([untilSignal(), server.exited]);
  await server.stop();
  return ExitCode.ok;
}

export async function workerCommand(opts: { role?: string; json?: boolean } & LimitFlagValues, io: Io): Promise<number> {
  const config = configWithFlags(opts);
  const roles = opts.role === undefined || opts.role === 'all' ? (['fill', 'gemini'] as const) : ([opts.role] as const);
  for (const r of roles) if (r !== 'fill' && r !== 'gemini') throw new CliError(`--role must be fill, gemini or all, got "${r}"`);
  const address = config.temporal.address ?? LOCAL_ADDRESS;
  installRuntimeLogger();
  const connection = await NativeConnection.connect({ address }).catch((err: Error) => {
    throw new CliError(`cannot reach Temporal at ${address}: ${err.message}`, ExitCode.unavailable);
  });
  const store = openStore({ dbPath: config.dbPath });
  const workers = await createWorkers({ config, connection, store, roles: [...roles] as ('fill' | 'gemini')[] });
  io.stdout(
    opts.json
      ? JSON.stringify({ ready: true, temporal: address, roles, model: config.gemini.model, geminiConfigured: config.gemini.apiKey !== undefined })
      : `worker ready on ${address} (${roles.join(' + ')}; model ${config.gemini.model}; ` +
          `${config.gemini.apiKey ? 'Gemini configured' : 'no GEMINI_API_KEY: offline extraction only'})`,
  );
  const running = workers.run();
  await Promise.race([untilSignal(), running]);
  workers.shutdown();
  await running.catch(() => undefined);
  await connection.close();
  await store.close();
  return ExitCode.ok;
}

export async function devCommand(io: Io, opts: { json?: boolean } & LimitFlagValues = {}): Promise<number> {
  const config = configWithFlags(opts);
  if (config.temporal.address !== undefined) {
    throw new CliError(`fillflow dev starts its own server on ${LOCAL_ADDRESS}; unset TEMPORAL_ADDRESS (it is ${config.temporal.address})`);
  }
  const store = openStore({ dbPath: config.dbPath });
  const stack = await startLocalStack({ config, store, workers: true, server: persistentServerOptions() }).catch((err: Error) => {
    throw new CliError(err.message, ExitCode.unavailable);
  });
  // `ready` only once the API listens too: scripts wait for that line and then call the API.
  const api = await startApi({ store, fills: stack.client, config }).catch(async (err: Error) => {
    await stack.stop();
    await store.close();
    throw new CliError(err.message, ExitCode.unavailable);
  });
  if (opts.json) {
    io.stdout(JSON.stringify({ ready: true, temporal: stack.address, ui: stack.server?.uiUrl ?? null, api: `${api.url}/api`, store: config.dbPath, auth: config.apiToken !== undefined }));
  } else {
    io.stdout(
      `fillflow dev ready: temporal ${stack.address}, UI ${stack.server?.uiUrl ?? '-'}, workers on fillflow + fillflow-gemini, ` +
        `API ${api.url}/api${config.apiToken ? ' (bearer token required)' : ''}, store ${config.dbPath}`,
    );
  }
  await untilSignal();
  await api.close();
  await stack.stop();
  await store.close();
  return ExitCode.ok;
}
