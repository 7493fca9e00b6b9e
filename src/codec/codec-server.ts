/** @module The codec server the Temporal UI (and `temporal … --codec-endpoint`) decodes payloads through:
 * `POST /decode` and `POST /encode` with `{ payloads: [...] }` bodies (src/codec/payload-json.ts).
 *
 * The browser calls it from the UI's page, so it speaks CORS to the UI's origins and to nothing else. Because
 * it hands out plaintext, it also refuses what a hostile web page could send: any request whose `Origin` is not
 * one of those (a page on another site), and, on a loopback address, any request whose `Host` is not the
 * address it serves (DNS rebinding). With a bearer token configured, every POST must carry it; a bind beyond
 * loopback requires one. Decoded responses are never cached, and nothing is logged. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { PayloadCodec } from '@temporalio/common';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { payloadFromJson, payloadToJson, PayloadJsonError, type JsonPayload } from './payload-json.js';

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Browser origins allowed to call it: the Temporal UI's, e.g. `http://127.0.0.1:8233`. */
  corsOrigins: readonly string[];
  /** When set, every POST needs `Authorization: Bearer <token>` (FILLFLOW_API_TOKEN). */
  token?: string;
  /**
   * `Host` header values accepted (`host:port`); undefined accepts any. {@link startCodecServer} fills it with
   * the loopback names of its port when it binds loopback.
   */
  allowedHosts?: ReadonlySet<string>;
}

export interface RunningCodecServer {
  app: FastifyInstance;
  /** `http://127.0.0.1:8081`: what `--ui-codec-endpoint` and `--codec-endpoint` take. */
  url: string;
  close(): Promise<void>;
}

/** Most bytes in one request: a history's payloads come a page at a time, each payload at most 2 MiB. */
const BODY_LIMIT = 16 * 1024 * 1024;
const PATHS = ['/encode', '/decode'] as const;
// What the UI sends besides content-type: the namespace, and a token when the UI passes its own.
const ALLOWED_HEADERS = 'content-type, x-namespace, authorization';

class CodecServerError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The server as a Fastify app, not listening: tests drive it with `inject()`. */
export function buildCodecServer(opts: CodecServerOptions): FastifyInstance {
  const origins = new Set(opts.corsOrigins);
  const checkToken = bearerCheck(opts.token);
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT, requestTimeout: 60_000 });
  // JSON only: a text/plain POST is what a page on another site can send without a preflight.
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (req, reply) => {
    const host = req.headers.host;
    if (opts.allowedHosts && (host === undefined || !opts.allowedHosts.has(host.toLowerCase()))) {
      throw new CodecServerError(403, 'host_not_allowed', `this codec server answers only requests addressed to ${[...opts.allowedHosts].join(' or ')}`);
    }
    const origin = req.headers.origin;
    if (origin !== undefined) {
      if (!origins.has(origin)) {
        throw new CodecServerError(403, 'origin_not_allowed', `origin ${origin} may not call this codec server; allowed: ${[...origins].join(', ') || 'none'} (FILLFLOW_CODEC_CORS_ORIGINS)`);
      }
      reply.header('access-control-allow-origin', origin);
      reply.header('vary', 'Origin');
    }
    // Plaintext values: no browser or proxy keeps a copy.
    reply.header('cache-control', 'no-store');
  });

  app.setErrorHandler((err: FastifyError | CodecServerError, _req, reply) => {
    const known = err instanceof CodecServerError;
    const status = known ? err.statusCode : (err.statusCode ?? 500);
    const code = known ? err.code : status === 415 ? 'unsupported_media_type' : status === 413 ? 'too_large' : status < 500 ? 'bad_request' : 'internal';
    if (status === 401) reply.header('www-authenticate', 'Bearer');
    // A 5xx never carries internals; a 4xx says what to fix.
    return reply.code(status).type('application/json').send({ error: { code, message: status < 500 ? err.message : 'the codec server failed' } });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]!.slice(0, 200)}; this server serves POST /encode and POST /decode` } }),
  );

  for (const path of PATHS) {
    // The preflight: reaching here means the origin passed the hook above.
    app.options(path, async (req, reply) => {
      reply.header('access-control-allow-methods', 'POST');
      reply.header('access-control-allow-headers', ALLOWED_HEADERS);
      reply.header('access-control-max-age', '600');
      // Chrome's Private Network Access preflight, for a UI served from a non-loopback origin.
      if (req.headers['access-control-request-private-network'] === 'true') reply.header('access-control-allow-private-network', 'true');
      return reply.code(204).send();
    });
    app.post(path, { schema: { body: BODY_SCHEMA } }, async (req: FastifyRequest<{ Body: { payloads: JsonPayload[] } }>, reply: FastifyReply) => {
      checkToken(req.headers.authorization);
      let payloads;
      try {
        payloads = req.body.payloads.map((p, i) => payloadFromJson(p, `payloads[${i}]`));
      } catch (err) {
        if (err instanceof PayloadJsonError) throw new CodecServerError(400, 'bad_request', err.message);
        throw err;
      }
      let out;
      try {
        out = path === '/encode' ? await opts.codec.encode(payloads) : await opts.codec.decode(payloads);
      } catch (err) {
        // The codec's own message: which key id is missing, or that a payload does not authenticate.
        throw new CodecServerError(422, 'cannot_decode', (err as Error).message);
      }
      return reply.type('application/json').send({ payloads: out.map(payloadToJson) });
    });
  }
  return app;
}

/**
 * Puts the codec server on a port.
 * @param opts.host @default '127.0.0.1'; anything beyond loopback needs `token`
 * @param opts.port 0 picks a free one
 * @throws Error naming FILLFLOW_CODEC_PORT when the port is taken
 */
export async function startCodecServer(opts: Omit<CodecServerOptions, 'allowedHosts'> & { host?: string; port: number }): Promise<RunningCodecServer> {
  const host = opts.host ?? '127.0.0.1';
  const loopback = isLoopback(host);
  if (!loopback && opts.token === undefined) {
    throw new Error(`the codec server hands out decrypted payloads: binding it to ${host} needs FILLFLOW_API_TOKEN`);
  }
  // Filled once the port is known; nothing is served before listen() returns.
  const allowedHosts = new Set<string>();
  const app = buildCodecServer({ ...opts, ...(loopback ? { allowedHosts } : {}) });
  try {
    await app.listen({ host, port: opts.port });
  } catch (err) {
    await app.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`the codec server's port ${host}:${opts.port} is in use; set FILLFLOW_CODEC_PORT or --port to a free port`);
    }
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  for (const name of new Set(['127.0.0.1', 'localhost', '[::1]', urlHost])) allowedHosts.add(`${name}:${port}`);
  return { app, url: `http://${urlHost === '0.0.0.0' ? '127.0.0.1' : urlHost}:${port}`, close: () => app.close() };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Compares digests in constant time, so neither the token's length nor a prefix leaks through timing. */
function bearerCheck(token: string | undefined): (header: string | undefined) => void {
  if (token === undefined) return () => {};
  const expected = digest(token);
  return (header) => {
    const m = /^Bearer +(\S+)\s*$/i.exec(header ?? '');
    if (!m) throw new CodecServerError(401, 'unauthorized', 'send Authorization: Bearer <token> (FILLFLOW_API_TOKEN is set on this server)');
    if (!timingSafeEqual(digest(m[1]!), expected)) throw new CodecServerError(401, 'unauthorized', 'the bearer token is not valid');
  };
}

const BODY_SCHEMA = {
  type: 'object',
  required: ['payloads'],
  properties: {
    payloads: {
      type: 'array',
      maxItems: 10_000,
      items: {
        type: 'object',
        properties: {
          metadata: { type: 'object', additionalProperties: { type: 'string' } },
          data: { type: 'string' },
        },
      },
    },
  },
} as const;
