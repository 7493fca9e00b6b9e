/** `fillflow api`: the HTTP API alone, against a dev server and a store, in its own process. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLocalTestEnv } from '../helpers/temporal-env.js';
import { connectClient, connectNative, temporalConnectionSettings } from '../../src/temporal-connection.js';

const CLI = resolve(import.meta.dirname, '../../bin/fillflow.js');
let env: TestWorkflowEnvironment;
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  env = await createLocalTestEnv();
  dir = mkdtempSync(join(tmpdir(), 'fillflow-api-cmd-'));
});
let tlsProxy: TlsServer | undefined;
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await new Promise((r) => (tlsProxy ? tlsProxy.close(r) : r(undefined)));
  await env?.teardown();
  rmSync(dir, { recursive: true, force: true });
});

/** The environment without any setting of this machine's that would change what the command does. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('FILLFLOW_') && !k.startsWith('TEMPORAL_') && !k.startsWith('GEMINI_')) base[k] = v;
  // The test binaries global-setup resolved stay visible (not used by `api`, but harmless).
  return { ...base, FILLFLOW_DB: join(dir, 'store.db'), ...extra };
}

function run(args: string[], extra: Record<string, string>) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: cleanEnv(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

async function until(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('serves /api/health against TEMPORAL_ADDRESS and FILLFLOW_DB, and stops on SIGTERM', async () => {
  const api = run(['api', '--port', '0', '--json'], { TEMPORAL_ADDRESS: env.address });
  let exitCode: number | null | undefined;
  void api.exited.then((c) => (exitCode = c));
  await until('the ready line', () => api.out().includes('"ready":true') || exitCode !== undefined);
  expect(exitCode, api.err()).toBeUndefined();
  const ready = JSON.parse(api.out().trim().split('\n').pop()!) as { api: string; temporal: string; namespace: string; auth: boolean };
  expect(ready.temporal).toBe(env.address);
  expect(ready.namespace).toBe('default');
  expect(ready.auth).toBe(false);
  expect(ready.api).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);

  const res = await fetch(`${ready.api}/health`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: 'ok' });

  api.child.kill('SIGTERM');
  expect(await api.exited).toBe(0);
});

it('refuses to bind beyond loopback without FILLFLOW_API_TOKEN, before connecting to anything', async () => {
  // Temporal's address is unreachable: the refusal comes first, as a usage error.
  const api = run(['api', '--port', '0'], { TEMPORAL_ADDRESS: '127.0.0.1:1', FILLFLOW_API_HOST: '0.0.0.0' });
  expect(await api.exited).toBe(2);
  expect(api.err()).toMatch(/FILLFLOW_API_HOST is 0\.0\.0\.0.*FILLFLOW_API_TOKEN is not set/);
  expect(api.out()).toBe('');
});

it('fails at start, naming the address and not the API key, when Temporal cannot be reached', async () => {
  const api = run(['api', '--port', '0'], { TEMPORAL_ADDRESS: '127.0.0.1:1', TEMPORAL_API_KEY: 'secret-api-key-xyz', TEMPORAL_TLS: 'false' });
  expect(await api.exited).toBe(3);
  expect(api.err()).toMatch(/cannot reach Temporal at 127\.0\.0\.1:1 \(API key\)/);
  expect(api.err()).not.toContain('secret-api-key-xyz');
});

/** A CA, a server certificate for localhost and 127.0.0.1, and a client certificate, made with openssl. */
function makeCertificates(): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', string> {
  const p = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '1', '-subj', '/CN=fillflow-test-ca');
  writeFileSync(p('server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  writeFileSync(p('client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const who of ['server', 'client']) {
    ssl('req', ...ec, '-keyout', p(`${who}.key`), '-out', p(`${who}.csr`), '-subj', `/CN=fillflow-test-${who}`);
    ssl('x509', '-req', '-in', p(`${who}.csr`), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p(`${who}.pem`), '-days', '1', '-extfile', p(`${who}.ext`));
  }
  return { ca: p('ca.pem'), serverCert: p('server.pem'), serverKey: p('server.key'), clientCert: p('client.pem'), clientKey: p('client.key') };
}

/** Temporal behind mTLS: a TLS front (client certificate required) that passes gRPC through to the dev server. */
async function startMtlsFront(certs: ReturnType<typeof makeCertificates>): Promise<string> {
  const [host, port] = [env.address.slice(0, env.address.lastIndexOf(':')), Number(env.address.slice(env.address.lastIndexOf(':') + 1))];
  tlsProxy = createTlsServer(
    {
      key: readFileSync(certs.serverKey),
      cert: readFileSync(certs.serverCert),
      ca: readFileSync(certs.ca),
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    },
    (socket) => {
      const upstream = netConnect(port, host === 'localhost' ? '127.0.0.1' : host);
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    },
  );
  tlsProxy.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => tlsProxy!.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(tlsProxy.address() as AddressInfo).port}`;
}

it('reaches a Temporal behind mTLS from TEMPORAL_TLS_* settings: client, worker connection and `fillflow api`', async () => {
  const certs = makeCertificates();
  const address = await startMtlsFront(certs);
  const tlsEnv = {
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKey,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.ca,
    TEMPORAL_TLS_SERVER_NAME: 'localhost',
  };
  const settings = temporalConnectionSettings({}, tlsEnv);

  const client = await connectClient(settings);
  const info = await client.workflowService.getSystemInfo({});
  expect(info.serverVersion).toBeTruthy();
  await client.close();
  const native = await connectNative(settings);
  await native.close();

  // Without the client certificate the front refuses the handshake.
  const noCert = temporalConnectionSettings({}, { TEMPORAL_ADDRESS: address, TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.ca, TEMPORAL_TLS_SERVER_NAME: 'localhost' });
  await expect(connectNative(noCert)).rejects.toThrow(/cannot reach Temporal at 127\.0\.0\.1:\d+ \(TLS\)/);

  const api = run(['api', '--port', '0', '--json'], tlsEnv);
  let exitCode: number | null | undefined;
  void api.exited.then((c) => (exitCode = c));
  await until('the ready line', () => api.out().includes('"ready":true') || exitCode !== undefined);
  expect(exitCode, api.err()).toBeUndefined();
  const ready = JSON.parse(api.out().trim().split('\n').pop()!) as { api: string; temporal: string };
  expect(ready.temporal).toBe(address);
  expect((await fetch(`${ready.api}/health`)).status).toBe(200);
  api.child.kill('SIGTERM');
  expect(await api.exited).toBe(0);
});
