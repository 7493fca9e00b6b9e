/** @module Puts the API on a port (what `fillflow dev` runs); tests that need no port use buildApi + inject. */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from './api-deps.js';
import { buildApi } from './build-api.js';

export interface RunningApi {
  app: FastifyInstance;
  /** `http://127.0.0.1:8080` */
  url: string;
  close(): Promise<void>;
}

/**
 * @param opts.port 0 picks a free port. @default config.apiPort (FILLFLOW_API_PORT, 8080)
 * @param opts.host @default '127.0.0.1': the dev API is for this machine
 * @throws Error naming FILLFLOW_API_PORT when the port is taken
 */
export async function startApi(deps: ApiDeps, opts: { port?: number; host?: string } = {}): Promise<RunningApi> {
  const app = await buildApi(deps);
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? deps.config.apiPort;
  try {
    await app.listen({ host, port });
  } catch (err) {
    await app.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`the API port ${host}:${port} is in use; set FILLFLOW_API_PORT to a free port`);
    }
    throw err;
  }
  const address = app.server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  return { app, url: `http://${host}:${actual}`, close: () => app.close() };
}
