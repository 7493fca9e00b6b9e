/** @module `fillflow codec-server [--port N] [--host H] [--json]`: the codec server alone, for a Temporal UI (or
 * `temporal … --codec-endpoint`) that is not the one `fillflow dev` wires up. It decodes with the keys this
 * process is configured with (docs/encryption.md). */
import { startCodecServer } from '../codec/codec-server.js';
import { payloadCodecFromConfig } from '../codec/data-converter.js';
import { ConfigError, loadConfig } from '../config.js';
import { CliError, ExitCode } from './cli-error.js';

type Io = { stderr: (line: string) => void; stdout: (line: string) => void };

export interface CodecServerFlags {
  port?: string;
  host?: string;
  json?: boolean;
}

/** Resolves once `stop` settles (SIGINT or SIGTERM for the command line), after the server has closed. */
export async function codecServerCommand(opts: CodecServerFlags, io: Io, stop: Promise<unknown> = untilSignal()): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
  const codec = payloadCodecFromConfig(config);
  if (!config.encryption) throw new CliError('no payload keys configured: set FILLFLOW_ENCRYPTION_KEY (and FILLFLOW_ENCRYPTION_OLD_KEYS for keys rotated out)');
  const port = opts.port === undefined ? config.codecServer.port : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a port number (0 picks a free one), got "${opts.port}"`);
  const server = await startCodecServer({
    codec,
    corsOrigins: config.codecServer.corsOrigins,
    port,
    ...(opts.host !== undefined ? { host: opts.host } : {}),
    ...(config.apiToken !== undefined ? { token: config.apiToken } : {}),
  }).catch((err: Error) => {
    throw new CliError(err.message, /needs FILLFLOW_API_TOKEN/.test(err.message) ? ExitCode.badInput : ExitCode.unavailable);
  });
  const keyIds = { current: codec.currentKeyId ?? null, older: config.encryption?.older.map((k) => k.id) ?? [] };
  io.stdout(
    opts.json
      ? JSON.stringify({ ready: true, url: server.url, corsOrigins: config.codecServer.corsOrigins, auth: config.apiToken !== undefined, keyIds })
      : `codec server ready at ${server.url} (POST /encode, /decode); browser origins ${config.codecServer.corsOrigins.join(', ')}; ` +
          `keys ${[keyIds.current, ...keyIds.older].filter((k) => k !== null).join(', ')}${config.apiToken ? '; bearer token required' : ''}`,
  );
  await stop;
  await server.close();
  return ExitCode.ok;
}

function untilSignal(): Promise<string> {
  return new Promise((done) => {
    process.once('SIGINT', () => done('SIGINT'));
    process.once('SIGTERM', () => done('SIGTERM'));
  });
}
