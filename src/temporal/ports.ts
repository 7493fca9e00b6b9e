/** @module TCP port helpers for starting local servers: pick a free port, or check one is free. */
import { createServer } from 'node:net';

/**
 * A port that was free on `host` a moment ago. Another process may take it before ours binds,
 * so callers that spawn a server on it should retry with a new port when the bind fails.
 */
export function findFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error(`Could not read the port bound on ${host}`));
      });
    });
  });
}

/**
 * Throws a clear error when `port` on `host` is taken. Without this check a server started on a busy
 * port dies a moment later, and a readiness probe may meanwhile reach the *other* server.
 */
export function assertPortFree(host: string, port: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`${what} port ${port} on ${host} is already in use (another Temporal server?)`)
          : err,
      );
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve()));
  });
}
