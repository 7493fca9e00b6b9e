/** @module The emulator's HTTP server (node:http on 127.0.0.1) and the handle tests hold. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BatchMode, type RawReply } from './batch-mode.js';
import { handleControlRequest } from './control-api.js';
import { createState } from './emulator-state.js';
import { checkLimits } from './limits.js';
import { statusError, type Reply } from './google-errors.js';
import { handleModelRequest } from './model-endpoints.js';
import type { Emulator, EmulatorOptions } from './types.js';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// Always JSON, errors included: the SDK re-wraps a non-JSON error body and loses its details.
function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendRaw(res: ServerResponse, reply: RawReply): void {
  if (res.destroyed) return;
  res.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(reply.body) });
  res.end(reply.body);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Starts a Gemini emulator: a real HTTP server speaking the REST protocol `@google/genai` uses, with
 * quotas, injectable faults and a recording of every request. Its answers come from an
 * {@link AnswerSource} (default: every field `{ value: null, quote: null }`), never from reading.
 *
 * @example
 * const emulator = await startEmulator({ limits: { rpm: 10 }, answer: goldAnswers(gold) });
 * const ai = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: emulator.url } });
 * emulator.inject({ kind: 'status', status: 503 });   // the next generateContent gets a 503
 * await emulator.close();
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const state = createState(options);
  const batch = new BatchMode(state, options);
  let origin = '';
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://emulator.invalid');
      const method = req.method ?? 'GET';
      try {
        const rawBody = await readBody(req);
        const apiKey = header(req, 'x-goog-api-key') ?? url.searchParams.get('key') ?? undefined;
        // Batch Mode and the Files API (batch-mode.ts) speak headers and raw bodies.
        const raw = await batch.handle({ method, url, headers: req.headers as Record<string, string | undefined>, rawBody, apiKey, origin });
        if (raw) return sendRaw(res, raw);
        const reply = url.pathname.startsWith('/_emulator/')
          ? handleControlRequest(state, method, url, rawBody)
          : await handleModelRequest(state, {
              method,
              path: url.pathname,
              apiKey: header(req, 'x-goog-api-key') ?? url.searchParams.get('key') ?? undefined,
              rawBody,
            });
        send(res, reply);
      } catch (e) {
        state.log(`[gemini emulator] ${method} ${url.pathname} failed: ${e instanceof Error ? e.stack : String(e)}`);
        send(res, statusError(500, 'emulator failure; see its log'));
      }
    })();
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  origin = `http://${urlHost}:${port}`;
  let closing: Promise<void> | undefined;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    requests: state.requests,
    batch,
    inject: (...faults) => state.faults.push(...faults),
    pendingFaults: () => state.faults.pending(),
    setLimits: (limits) => {
      state.limits = checkLimits(limits);
    },
    setAnswer: (source) => {
      state.answer = source;
    },
    reset: () => state.reset(),
    // Idempotent, so a test's afterEach may close what the test already closed.
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        state.abortSleeps();
        server.close((err) => (err ? reject(err) : resolve()));
        // The SDK's undici agent keeps connections alive; without this, close() waits for them to time out.
        server.closeAllConnections();
      })),
  };
}
