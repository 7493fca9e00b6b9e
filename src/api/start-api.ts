/** @module Puts the API on a port (what `fillflow dev` runs); tests that need no port use buildApi + inject. */
import type { FastifyInstance } from 'fastify';
import { ConfigError } from '../config.js';
import type { ApiDeps } from './api-deps.js';
import { buildApi } from './build-api.js';
import { hostForUrl, isLoopbackHost, isWildcardHost } from './cross-site.js';

export interface RunningApi {
  app: FastifyInstance;
  /** `http://127.0.0.1:8080` */
  url: string;
  close(): Promise<void>;
}

/**
 * Binds the API to `config.apiHost` (FILLFLOW_API_HOST, default 127.0.0.1).
 * @param opts.port 0 picks a free port. @default config.apiPort (FILLFLOW_API_PORT, 8080)
 * @throws ConfigError when the API would bind beyond loopback without FILLFLOW_API_TOKEN
 * @throws Error naming FILLFLOW_API_PORT when the port is taken
 */
export async function startApi(deps: ApiDeps, opts: { port?: number } = {}): Promise<RunningApi> {
  requireTokenBeyondLoopback(deps.config);
  const app = await buildApi(deps);
  const host = deps.config.apiHost;
  const port = opts.port ?? deps.config.apiPort;
  try {
    await app.listen({ host, port });
  } catch (err) {
    await app.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`the API port ${hostForUrl(host)}:${port} is in use; set FILLFLOW_API_PORT to a free port`);
    }
    throw err;
  }
  const address = app.server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  // A wildcard bind is reached locally through loopback, which its Host check accepts.
  const urlHost = isWildcardHost(host) ? '127.0.0.1' : hostForUrl(host);
  return { app, url: `http://${urlHost}:${actual}`, close: () => app.close() };
}

/**
 * Anyone who can reach a port beyond loopback could upload documents and start fills (spending the Gemini
 * quota) if the API had no token, so it does not start that way.
 * @throws ConfigError naming both settings
 */
export function requireTokenBeyondLoopback(config: ApiDeps['config']): void {
  if (isLoopbackHost(config.apiHost) || config.apiToken !== undefined) return;
  throw new ConfigError(
    `FILLFLOW_API_HOST is ${config.apiHost}, beyond loopback, and FILLFLOW_API_TOKEN is not set: the API will not start open to the network; ` +
      'set FILLFLOW_API_TOKEN (clients then send Authorization: Bearer <token>) or bind to 127.0.0.1',
  );
}
