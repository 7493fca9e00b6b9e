/** The HTTP API over a real port, on a real Temporal dev server with real workers and the Gemini emulator:
 * documents in, a template in each format, fills over HTTP, the filled documents read back with the same
 * libraries; cancel and resume; a 200 MB upload streamed over a socket; and the TypeScript client
 * connecting with nothing but TEMPORAL_ADDRESS. */
import { request } from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type RunningApi } from '../../src/api/start-api.js';
import { FillflowClient, WorkflowNotFoundError } from '../../src/client.js';
import type { FillResult } from '../../src/core/types.js';
import { createWorkers, type WorkerSet } from '../../src/worker.js';
import { EXAMPLE_DIR, createRig, exampleExpected, workflowBundle, type Rig } from '../helpers/fill-harness.js';
import { hugeUpload, multipart } from '../helpers/multipart.js';
import { createLocalTestEnv } from '../helpers/temporal-env.js';
import { docxParagraphs, makeDocx, makePdfForm, readPdfForm } from '../helpers/template-fixtures.js';

let env: TestWorkflowEnvironment;
let rig: Rig;
let workers: WorkerSet;
let running: Promise<void>;
let client: FillflowClient;
let api: RunningApi;
let documentIds: string[];
const expected = exampleExpected();

beforeAll(async () => {
  env = await createLocalTestEnv();
  rig = await createRig(env);
  workers = await createWorkers({ config: rig.config, connection: env.nativeConnection, store: rig.store, workflowBundle: await workflowBundle() });
  running = workers.run();
  // The client as another service builds it: nothing but TEMPORAL_ADDRESS in its environment.
  const before = process.env.TEMPORAL_ADDRESS;
  process.env.TEMPORAL_ADDRESS = env.address;
  try {
    client = await FillflowClient.connect();
  } finally {
    if (before === undefined) delete process.env.TEMPORAL_ADDRESS;
    else process.env.TEMPORAL_ADDRESS = before;
  }
  api = await startApi({ store: rig.store, fills: client, config: rig.config }, { port: 0 });
});

afterAll(async () => {
  await api?.close();
  await client?.close();
  workers?.shutdown();
  await running;
  await rig?.close();
  await env?.teardown();
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any; bytes: Buffer; type: string }> {
  const init: RequestInit = { method };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'content-type': 'application/json' };
  }
  const res = await fetch(`${api.url}${path}`, init);
  const bytes = Buffer.from(await res.arrayBuffer());
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, json: type.startsWith('application/json') ? JSON.parse(bytes.toString()) : undefined, bytes, type };
}

function form(parts: Record<string, string | { name: string; bytes: Buffer }>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(parts)) {
    if (typeof v === 'string') f.append(k, v);
    else f.append(k, new Blob([v.bytes]), v.name);
  }
  return f;
}

async function fillOverHttp(body: Record<string, unknown>): Promise<FillResult & { fillId: string }> {
  const start = await call('POST', '/api/fills', { documentIds, ...body });
  expect(start.status, JSON.stringify(start.json)).toBe(202);
  const { fillId } = start.json as { fillId: string };
  for (let i = 0; i < 300; i++) {
    const state = await call('GET', `/api/fills/${fillId}`);
    expect(state.status).toBe(200);
    expect(state.json.progress).toBeDefined();
    if (state.json.status === 'completed') return state.json.result;
    expect(state.json.status).toBe('running');
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`fill ${fillId} did not complete`);
}

describe('the HTTP API on a real port', () => {
  it('ingests the example documents from multipart uploads', async () => {
    documentIds = [];
    const docsDir = join(EXAMPLE_DIR, 'docs');
    for (const name of readdirSync(docsDir)) {
      const res = await call('POST', '/api/documents', form({ file: { name, bytes: readFileSync(join(docsDir, name)) } }));
      expect(res.status, JSON.stringify(res.json)).toBe(201);
      expect(res.json).toMatchObject({ name, id: expect.stringMatching(/^[a-f0-9]{64}$/) });
      documentIds.push(res.json.id);
    }
    expect(documentIds).toHaveLength(3);
  });

  it('fills an inline JSON template; the output is a Markdown page and usage shows in the stats', async () => {
    const template = JSON.parse(readFileSync(join(EXAMPLE_DIR, 'template.json'), 'utf8'));
    const result = await fillOverHttp({ template });
    expect(result.status).toBe('completed');
    for (const f of result.fields) expect({ key: f.key, value: f.value }).toEqual({ key: f.key, value: expected[f.key] });
    expect(result.outputRef).toBe(`${result.fillId}/supplier-onboarding.filled.md`);
    const out = await call('GET', `/api/fills/${result.fillId}/output`);
    expect(out.status).toBe(200);
    expect(out.type).toMatch(/^text\/markdown/);
    expect(out.bytes.toString()).toContain('- **Legal name**: Harbour Lane Logistics Limited');

    const stats = await call('GET', '/api/templates/stats/api-usage');
    expect(stats.json.gemini_api_stats).toEqual({ total_api_calls: expect.any(Number), cache_size: expect.any(Number), service_available: true });
    expect(stats.json.gemini_api_stats.total_api_calls).toBeGreaterThan(0);
    expect(stats.json.optimization_info).toMatchObject({ parallel_processing_enabled: true, fields_per_api_call_efficiency: expect.any(Number) });
    expect(JSON.stringify(stats.json)).not.toContain('AIza');
  });

  it('fills a Markdown template and renders its placeholders', async () => {
    const md = '---\nfields:\n  - { key: legal_name, label: Legal name, type: string }\n  - { key: employee_count, label: Number of employees, type: integer }\n---\n# {{legal_name}}\n\nEmployees: {{ employee_count }}\nVAT: {{vat_number}}\n';
    const created = await call('POST', '/api/templates', form({ file: { name: 'summary.md', bytes: Buffer.from(md) }, id: 'md-summary' }));
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    expect(created.json.format).toBe('markdown');
    expect(created.json.warnings).toEqual([expect.objectContaining({ message: expect.stringMatching(/"vat_number" is in the document but not in the spec/) })]);
    expect((await call('GET', '/api/templates/md-summary')).json).toMatchObject({ id: 'md-summary', format: 'markdown' });

    const result = await fillOverHttp({ templateId: 'md-summary' });
    const out = await call('GET', `/api/fills/${result.fillId}/output`);
    expect(out.bytes.toString()).toBe(`# ${expected.legal_name}\n\nEmployees: ${expected.employee_count}\nVAT: ${expected.vat_number}\n`);
  });

  it('fills a DOCX whose placeholders Word split across runs', async () => {
    const docx = makeDocx([['Supplier: {{', 'legal_', 'name}}'], ['Post code {{postcode}}; sector {{ sector }}']]);
    const spec = { fields: [{ key: 'sector', type: 'enum', options: ['Manufacturing', 'Retail', 'Transport and storage', 'Construction', 'Professional services'] }] };
    const created = await call('POST', '/api/templates', form({ file: { name: 'supplier.docx', bytes: docx }, spec: JSON.stringify(spec), id: 'docx-supplier' }));
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    expect(created.json.template.fields.map((f: { key: string; type: string }) => `${f.key}:${f.type}`)).toEqual(['sector:enum', 'legal_name:string', 'postcode:string']);

    const result = await fillOverHttp({ templateId: 'docx-supplier' });
    const out = await call('GET', `/api/fills/${result.fillId}/output`);
    expect(out.type).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(docxParagraphs(out.bytes)).toEqual([`Supplier: ${expected.legal_name}`, `Post code ${expected.postcode}; sector ${expected.sector}`]);
  });

  it('fills a PDF form (text, checkbox, dropdown) and flattens it on download', async () => {
    const pdf = await makePdfForm([
      { name: 'legal_name', kind: 'text' },
      { name: 'primary_contact_email', kind: 'text' },
      { name: 'nda_signed', kind: 'checkbox' },
      { name: 'preferred_contact_method', kind: 'dropdown', options: ['Email', 'Phone', 'Post'] },
    ]);
    const created = await call('POST', '/api/templates', form({ file: { name: 'supplier.pdf', bytes: pdf } }));
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    expect(created.json.id).toBe('supplier');
    const result = await fillOverHttp({ templateId: 'supplier' });
    const out = await call('GET', `/api/fills/${result.fillId}/output`);
    expect(out.type).toBe('application/pdf');
    expect(await readPdfForm(out.bytes)).toEqual({
      legal_name: expected.legal_name,
      primary_contact_email: expected.primary_contact_email,
      nda_signed: true,
      preferred_contact_method: 'Email',
    });
    const flat = await call('GET', `/api/fills/${result.fillId}/output?flatten=true`);
    expect(flat.status).toBe(200);
    expect(await readPdfForm(flat.bytes)).toEqual({});
  });

  it('cancels a running fill, and refuses to cancel or resume it again', async () => {
    // A 30 s retryDelay keeps the fill waiting, so it is surely running when cancelled.
    rig.emulator.inject({ kind: 'rate-limit', quota: 'per-minute', retryDelay: '30s' });
    const start = await call('POST', '/api/fills', { templateId: 'md-summary', documentIds, options: { maxBatchSize: 30 } });
    const { fillId } = start.json;
    const cancel = await call('POST', `/api/fills/${fillId}/cancel`);
    expect(cancel.status, JSON.stringify(cancel.json)).toBe(202);
    let state;
    for (let i = 0; i < 100; i++) {
      state = await call('GET', `/api/fills/${fillId}`);
      if (state.json.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(state!.json.status).toBe('cancelled');
    expect((await call('POST', `/api/fills/${fillId}/cancel`)).status).toBe(409);
    expect((await call('POST', `/api/fills/${fillId}/resume`)).json.error).toMatchObject({ code: 'not_running', path: 'id' });
    expect((await call('GET', `/api/fills/${fillId}/output`)).status).toBe(404);
  });

  it('answers a streamed 200 MB upload with 413 and stays healthy', async () => {
    const { payload, headers } = hugeUpload('file', 'big.txt', 200 * 1024 * 1024);
    const url = new URL(`${api.url}/api/documents`);
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ method: 'POST', hostname: url.hostname, port: url.port, path: url.pathname, headers }, (r) => {
        let body = '';
        r.on('data', (c) => (body += c)).on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      // The server may close the socket once it has answered; that is not the test's failure.
      req.on('error', (err) => (/EPIPE|ECONNRESET/.test(String(err)) ? undefined : reject(err)));
      payload.pipe(req);
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error).toMatchObject({ code: 'file_too_large', path: 'file' });
    expect((await call('GET', '/api/health')).status).toBe(200);
    expect((await call('GET', '/api/templates')).json.templates.length).toBeGreaterThan(0);
  });

  it('refuses cross-site use on a real port: a rebinding Host, a foreign Origin, a cross-site fetch', async () => {
    const port = Number(new URL(api.url).port);
    const upload = multipart([{ name: 'file', filename: 'planted.txt', data: 'A document a web page tried to plant.' }]);
    const send = (method: string, path: string, headers: Record<string, string>, body?: Buffer) =>
      new Promise<{ status: number; code: string }>((resolve, reject) => {
        const req = request({ method, host: '127.0.0.1', port, path, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) }, setHost: !('host' in headers) }, (r) => {
          let text = '';
          r.on('data', (c) => (text += c)).on('end', () => resolve({ status: r.statusCode ?? 0, code: JSON.parse(text).error?.code }));
        });
        req.on('error', (err) => (/EPIPE|ECONNRESET/.test(String(err)) ? undefined : reject(err)));
        req.end(body);
      });
    const documentsBefore = (await rig.store.listDocuments()).length;
    expect(await send('POST', '/api/documents', { ...upload.headers, host: `rebind.attacker.example:${port}` }, upload.payload)).toEqual({ status: 403, code: 'forbidden_host' });
    expect(await send('POST', '/api/documents', { ...upload.headers, origin: 'https://evil.example' }, upload.payload)).toEqual({ status: 403, code: 'forbidden_origin' });
    expect(await send('GET', '/api/templates', { 'sec-fetch-site': 'cross-site' })).toEqual({ status: 403, code: 'forbidden_origin' });
    expect(await send('OPTIONS', '/api/fills', { origin: 'https://evil.example', 'access-control-request-method': 'POST' })).toEqual({ status: 403, code: 'forbidden_origin' });
    expect((await rig.store.listDocuments()).length).toBe(documentsBefore);
    expect((await call('GET', '/api/health')).status).toBe(200);
  });

  it('serves an OpenAPI document that lists every route of the contract', async () => {
    const doc = (await call('GET', '/api/openapi.json')).json;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/documents', '/api/templates', '/api/templates/{id}', '/api/fills', '/api/fills/{id}', '/api/fills/{id}/resume', '/api/fills/{id}/cancel', '/api/fills/{id}/output', '/api/templates/stats/api-usage']),
    );
    expect(doc.paths['/api/fills'].post.requestBody.content['application/json'].schema.required).toEqual(['documentIds']);
    expect(doc.paths['/api/fills'].post.operationId).toBe('startFill');
    expect(doc.servers[0].variables.host.default).toBe(new URL(api.url).host);
  });
});

describe('the TypeScript client against a real dev server', () => {
  it('starts a fill with default options, reports progress, waits, and reads the state', async () => {
    const { templateId } = await rig.loadExample();
    const { fillId } = await client.startFill({ templateId, documentIds });
    const phases: string[] = [];
    const result = await client.waitForFill(fillId, { onProgress: (p) => phases.push(p.phase), pollMs: 50 });
    expect(result.status).toBe('completed');
    expect(result.fields).toHaveLength(30);
    expect(phases.length).toBeGreaterThan(0);
    const state = await client.getFill(fillId);
    expect(state.status).toBe('completed');
    if (state.status === 'completed') expect(state.result.outputRef).toMatch(new RegExp(`^${fillId}/`));
    await expect(client.getFill('fill-does-not-exist')).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it('names the address it tried when the server is unreachable', async () => {
    await expect(FillflowClient.connect({ address: '127.0.0.1:1' })).rejects.toThrow(/cannot reach Temporal at 127\.0\.0\.1:1/);
  });
});
