/** @module Runs `temporal server start-dev` as a child process and waits until it really serves. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { executablePath, resolveTemporalCli } from './binaries.js';
import { devServerArgs, type DevServerArgsOptions } from './dev-server-args.js';
import { assertPortFree, findFreePort } from './ports.js';

export {
  DEV_SERVER_DYNAMIC_CONFIG,
  devServerArgs,
  dynamicConfigArgs,
  type DevServerArgsOptions,
  type DevServerLogLevel,
  type DevServerSearchAttributeType,
} from './dev-server-args.js';

/** Options for {@link startDevServer}; the flags themselves are documented on {@link DevServerArgsOptions}. */
export interface DevServerOptions extends Omit<DevServerArgsOptions, 'port'> {
  /** gRPC port; 0 picks a free one (and then a free UI port too, unless `uiPort` is given). @default 7233 */
  port?: number;
  /** The Temporal CLI to run. @default resolved by `resolveTemporalCli`, installing it if needed */
  executable?: string;
  /** How long to wait for the server to answer. @default 60_000 (a loaded 2-core CI box is slow) */
  startTimeoutMs?: number;
  /** After SIGTERM, how long `stop()` waits before SIGKILL. @default 10_000 */
  stopGraceMs?: number;
}

/** How the server process ended. */
export interface DevServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The dev server ended by itself or was killed (not stopped with `stop()`): what waited on it can no longer finish. */
export class DevServerExitedError extends Error {
  constructor(
    readonly pid: number,
    readonly exit: DevServerExit,
  ) {
    super(`the Temporal dev server (pid ${pid}) exited with ${describeExit(exit)}`);
    this.name = 'DevServerExitedError';
  }
}

/** `signal SIGKILL` or `code 1`, as the messages about a server's end say it. */
function describeExit(exit: DevServerExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}

/** A running dev server. */
export interface DevServer {
  /** `host:port` for `Connection.connect` / `NativeConnection.connect`. */
  address: string;
  namespace: string;
  /** The web UI, unless headless. */
  uiUrl?: string;
  pid: number;
  /** Settles when the process ends, however it ends. */
  exited: Promise<DevServerExit>;
  /**
   * Settles with the reason when the process ends without `stop()` having been called (killed, crashed), so whatever
   * waits on the server can stop waiting at once; stays pending for a server that is stopped.
   */
  died: Promise<DevServerExitedError>;
  /** SIGTERM, then SIGKILL after the grace period; resolves once the process is gone. Idempotent. */
  stop(): Promise<void>;
}

const DEFAULT_PORT = 7233;
const STDERR_TAIL_LINES = 30;
const PORT_RACE_ATTEMPTS = 3;

/**
 * Starts a dev server and resolves once it answers `DescribeNamespace` for its namespace. The
 * server is also stopped (SIGTERM) when this process exits; a CLI that handles SIGINT/SIGTERM
 * itself should call `stop()` from its handler.
 *
 * @example
 * const server = await startDevServer({ port: 0, headless: true, dbFilename: 'tmp/temporal.db' });
 * const connection = await Connection.connect({ address: server.address });
 * // ...
 * await server.stop();
 */
export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const executable = opts.executable ?? executablePath(await resolveTemporalCli({ sdkDownloadFallback: false }));
  const ip = opts.ip ?? '127.0.0.1';
  const autoPort = (opts.port ?? DEFAULT_PORT) === 0;
  const autoUiPort = !opts.headless && (opts.uiPort === 0 || (opts.uiPort === undefined && autoPort));
  if (opts.dbFilename !== undefined) await mkdir(dirname(resolve(opts.dbFilename)), { recursive: true });

  for (let attempt = 1; ; attempt++) {
    const port = autoPort ? await findFreePort(ip) : (opts.port ?? DEFAULT_PORT);
    let uiPort: number | undefined;
    if (!opts.headless) {
      uiPort = autoUiPort ? await findFreePort(ip) : (opts.uiPort ?? port + 1000);
      if (uiPort === port) {
        if ((autoPort || autoUiPort) && attempt < PORT_RACE_ATTEMPTS) continue;
        throw new Error(`The Temporal dev server cannot serve gRPC and the UI both on port ${port}`);
      }
    }
    if (!autoPort) await assertPortFree(ip, port, 'Temporal gRPC');
    if (uiPort !== undefined && !autoUiPort) await assertPortFree(ip, uiPort, 'Temporal UI');
    try {
      return await launch(executable, { ...opts, ip, port, ...(uiPort === undefined ? {} : { uiPort }) }, opts);
    } catch (err) {
      // A port picked free can be taken by someone else before the server binds it.
      if (err instanceof PortTakenError && (autoPort || autoUiPort) && attempt < PORT_RACE_ATTEMPTS) continue;
      throw err;
    }
  }
}

class PortTakenError extends Error {}

async function launch(executable: string, args: DevServerArgsOptions & { ip: string }, opts: DevServerOptions): Promise<DevServer> {
  const argv = devServerArgs(args);
  const namespace = args.namespace ?? 'default';
  const host = connectableHost(args.ip);
  const address = `${urlHost(host)}:${args.port}`;
  const started = Date.now();

  const child = spawn(executable, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = new LineTail(STDERR_TAIL_LINES);
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  // Nothing on stdout is needed, but an unread pipe would eventually block the server.
  child.stdout?.resume();

  let spawnError: Error | undefined;
  let exit: DevServerExit | undefined;
  const exited = new Promise<DevServerExit>((settle) => {
    child.once('error', (err) => {
      spawnError = err;
      // A process that failed to spawn emits no 'exit'.
      if (child.pid === undefined) settle((exit = { code: null, signal: null }));
    });
    child.once('exit', (code, signal) => settle((exit = { code, signal })));
  });

  const killOnExit = (): void => {
    // Our process is going away and cannot wait: let the server shut itself down cleanly.
    if (!exit) child.kill('SIGTERM');
  };
  process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const died = exited.then((how) => (stopping ? new Promise<never>(() => undefined) : new DevServerExitedError(child.pid ?? 0, how)));
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      process.off('exit', killOnExit);
      await terminate(child, exited, () => exit !== undefined, opts.stopGraceMs ?? 10_000);
    })());

  const describe = `${executable} ${argv.join(' ')}`;
  try {
    await waitUntilServing(host, args.port, namespace, started + (opts.startTimeoutMs ?? 60_000), exited, () => {
      if (spawnError) throw new Error(`Could not start the Temporal dev server (${describe}): ${spawnError.message}`);
      if (exit) {
        const message = `The Temporal dev server exited with ${describeExit(exit)} before serving ${address} (${describe})${stderr.format()}`;
        throw /address already in use/i.test(stderr.text()) ? new PortTakenError(message) : new Error(message);
      }
    });
  } catch (err) {
    await stop();
    if (err instanceof TimeoutError) throw new Error(`${err.message} (${describe})${stderr.format()}`);
    throw err;
  }

  if (child.pid === undefined) throw new Error(`The Temporal dev server has no pid (${describe})`);
  const server: DevServer = { address, namespace, pid: child.pid, exited, died, stop };
  if (args.uiPort !== undefined) server.uiUrl = `http://${urlHost(host)}:${args.uiPort}`;
  return server;
}

class TimeoutError extends Error {}

/**
 * Polls until a fresh connection answers `DescribeNamespace`. `Connection.connect` alone already
 * calls `GetSystemInfo`, but the namespace is registered a moment after the port opens, and a
 * worker started in between fails with "namespace not found". Each attempt races the process's
 * exit, so a server that dies at start is reported at once rather than after a connect timeout.
 */
async function waitUntilServing(
  host: string,
  port: number,
  namespace: string,
  deadline: number,
  exited: Promise<unknown>,
  checkAlive: () => void,
): Promise<void> {
  let lastError: unknown;
  for (;;) {
    checkAlive();
    const attempt = probe(host, port, namespace).then(
      () => true,
      (err: unknown) => {
        lastError = err;
        return false;
      },
    );
    if (await Promise.race([attempt, exited.then(() => false)])) return;
    checkAlive();
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new TimeoutError(`The Temporal dev server did not serve ${urlHost(host)}:${port} in time${why}`);
    }
    await sleep(100);
  }
}

async function probe(host: string, port: number, namespace: string): Promise<void> {
  // A gRPC channel refused once backs off for a second before redialling, so wait for the port
  // with plain TCP first: readiness is then seen within ~100 ms instead of ~1 s.
  await tcpConnect(host, port);
  const address = `${urlHost(host)}:${port}`;
  const connection = await Connection.connect({ address, connectTimeout: 2_000 });
  try {
    await connection.withDeadline(Date.now() + 5_000, () => connection.workflowService.describeNamespace({ namespace }));
  } finally {
    await connection.close();
  }
}

function tcpConnect(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port, timeout: 1_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error(`TCP connect to ${host}:${port} timed out`));
    });
    socket.once('error', reject);
  });
}

async function terminate(
  child: ChildProcess,
  exited: Promise<DevServerExit>,
  hasExited: () => boolean,
  graceMs: number,
): Promise<void> {
  if (hasExited()) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** A wildcard bind address is not something a client can dial. */
function connectableHost(ip: string): string {
  if (ip === '0.0.0.0') return '127.0.0.1';
  if (ip === '::') return '::1';
  return ip;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** The last lines written to a stream, for error messages that show what the server said. */
class LineTail {
  private lines: string[] = [];
  private partial = '';

  constructor(private readonly max: number) {}

  push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts.filter((l) => l.trim() !== '').map((l) => (l.length > 600 ? `${l.slice(0, 600)}…` : l)));
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
  }

  text(): string {
    return [...this.lines, this.partial].join('\n').trim();
  }

  format(): string {
    const text = this.text();
    return text ? `\nLast lines of its stderr:\n${text}` : '\nIt wrote nothing to stderr.';
  }
}
