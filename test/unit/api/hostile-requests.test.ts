/** The API under hostile input, in process (inject) and, where the port matters, over a socket: each bad
 * request gets a 4xx with `{ error: { code, message, path? } }` naming the problem, the server stays healthy,
 * nothing is half-stored and no fill starts. Cross-site use (DNS rebinding, pages of other origins) is refused
 * here too, and an API beyond loopback without a token does not start. */
import { mkdtempSync, readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../../src/api/build-api.js';
import { startApi, type RunningApi } from '../../../src/api/start-api.js';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { hugeUpload, multipart } from '../../helpers/multipart.js';
import { makeDocx, makePdfForm, makeZipBombDocx } from '../../helpers/template-fixtures.js';
import { emptyFillService } from './fake-fill-service.js';

let app: FastifyInstance;
/** The same API on a real port, for requests whose port matters (inject has none). */
let listening: RunningApi;
let store: Store;
let fills: ReturnType<typeof emptyFillService>;
const dir = mkdtempSync(join(tmpdir(), 'fillflow-api-hostile-'));
const uploadsBefore = () => readdirSync(tmpdir()).filter((n) => n.startsWith('fillflow-upload-')).length;
let uploadDirs: number;

beforeAll(async () => {
  const config = loadConfig({ FILLFLOW_DB: join(dir, 'fillflow.db'), FILLFLOW_API_CORS_ORIGINS: ALLOWED_ORIGIN }, {}, dir);
  store = openStore({ dbPath: config.dbPath });
  fills = emptyFillService();
  const deps = { store, fills: fills.service, config, limits: { maxDocumentBytes: 5 * 1024 * 1024 }, logError: () => {} };
  app = await buildApi(deps);
  listening = await startApi(deps, { port: 0 });
  // One template exists, so conflicts and "unknown document" can be reached.
  await store.putTemplate({ id: 'existing', name: 'Existing', fields: [{ key: 'a', label: 'A', type: 'string' }] });
  uploadDirs = uploadsBefore();
});
afterAll(async () => {
  await app?.close();
  await listening?.close();
  await store?.close();
});

const json = (method: 'POST' | 'GET', url: string, body: unknown): InjectOptions => ({
  method,
  url,
  payload: typeof body === 'string' ? body : JSON.stringify(body),
  headers: { 'content-type': 'application/json' },
});
const field = (i: number) => ({ key: `f${i}`, label: `F ${i}`, type: 'string' });
const tpl = (fields: unknown[], extra: Record<string, unknown> = {}) => ({ id: 'hostile', name: 'H', fields, ...extra });
const upload = (url: string, parts: Parameters<typeof multipart>[0], headers: Record<string, string> = {}): InjectOptions => {
  const body = multipart(parts);
  return { method: 'POST', url, payload: body.payload, headers: { ...body.headers, ...headers } };
};
const nested = (depth: number) => '{"id":"x","fields":' + '['.repeat(depth) + ']'.repeat(depth) + '}';
const DOC_ID = 'a'.repeat(64);
const ALLOWED_ORIGIN = 'https://app.example.com';
const EVIL_ORIGIN = 'https://evil.example';
const listeningPort = () => Number(new URL(listening.url).port);
const aDocument = [{ name: 'file', filename: 'contract.txt', data: 'The supplier is Harbour Lane Logistics Limited.' }];

/** What inject answers, read from a real socket: the Host header is sent as given, and the request arrives on a port. */
async function overSocket(opts: InjectOptions, port = listeningPort()): Promise<{ statusCode: number; headers: Record<string, unknown>; body: string; json: () => any }> {
  const payload = opts.payload === undefined ? undefined : Buffer.isBuffer(opts.payload) ? opts.payload : Buffer.from(String(opts.payload));
  const headers: Record<string, string> = { ...(opts.headers as Record<string, string>), ...(payload ? { 'content-length': String(payload.length) } : {}) };
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: opts.method ?? 'GET', path: String(opts.url), headers, setHost: headers.host === undefined }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
        const body = Buffer.concat(chunks).toString();
        resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
      });
    });
    // The server may answer and close before the whole upload is written; its answer is what is tested.
    req.on('error', (err) => (/EPIPE|ECONNRESET/.test(String(err)) ? undefined : reject(err)));
    req.end(payload);
  });
}

interface Case {
  name: string;
  request: () => InjectOptions | Promise<InjectOptions>;
  status: number | number[];
  code?: string;
  /** The error's path, or a pattern it must match. */
  path?: string | RegExp;
  message?: RegExp;
  /** Send over a socket to the listening API instead of inject(). */
  over?: 'socket';
  /** Headers the answer must carry (a string) or must not (undefined). */
  headers?: Record<string, string | undefined>;
}

const cases: Case[] = [
  // Malformed and tricky JSON
  { name: 'malformed JSON', request: () => json('POST', '/api/templates', '{"id": "a", fields'), status: 400, code: 'malformed_json' },
  { name: 'malformed JSON on fills', request: () => json('POST', '/api/fills', '{"templateId":'), status: 400, code: 'malformed_json' },
  { name: 'empty JSON body', request: () => json('POST', '/api/templates', ''), status: 400, code: 'malformed_json' },
  { name: 'a JSON array instead of an object', request: () => json('POST', '/api/templates', [1, 2]), status: 400, path: 'body' },
  { name: 'duplicate member names at the top', request: () => json('POST', '/api/templates', '{"id":"a","id":"b","fields":[]}'), status: 400, code: 'duplicate_key', path: 'id' },
  { name: 'duplicate member names inside a field', request: () => json('POST', '/api/templates', '{"id":"a","fields":[{"key":"x","key":"y","type":"string"}]}'), status: 400, code: 'duplicate_key', path: 'fields[0].key' },
  { name: 'a __proto__ member', request: () => json('POST', '/api/templates', '{"id":"a","__proto__":{"polluted":1},"fields":[]}'), status: 400, code: 'forbidden_key', path: '__proto__' },
  { name: 'JSON nested 200 deep', request: () => json('POST', '/api/templates', nested(200)), status: 400, code: 'too_deep' },
  { name: 'a body over the JSON limit (5 MB)', request: () => json('POST', '/api/templates', tpl([{ ...field(0), description: 'x'.repeat(5 * 1024 * 1024) }])), status: 413, code: 'body_too_large' },
  { name: 'text/plain body', request: () => ({ method: 'POST', url: '/api/templates', payload: 'id=a', headers: { 'content-type': 'text/plain' } }), status: 415, code: 'unsupported_media_type' },
  { name: 'XML body', request: () => ({ method: 'POST', url: '/api/fills', payload: '<fill/>', headers: { 'content-type': 'application/xml' } }), status: 415 },
  // Templates: wrong types and broken rules
  { name: 'fields as a string', request: () => json('POST', '/api/templates', { id: 'a', fields: 'name,email' }), status: 400, path: 'fields', message: /must be array/ },
  { name: 'a field type that is a number', request: () => json('POST', '/api/templates', tpl([{ key: 'a', type: 7 }])), status: 400, path: 'fields[0].type' },
  { name: 'an unknown field type', request: () => json('POST', '/api/templates', tpl([{ key: 'a', type: 'colour' }])), status: 400, path: 'fields[0].type', message: /one of: string/ },
  { name: 'an enum without options', request: () => json('POST', '/api/templates', tpl([{ key: 'size', type: 'enum' }])), status: 400, code: 'invalid_template', path: 'fields[0].options' },
  { name: 'duplicate field keys', request: () => json('POST', '/api/templates', tpl([field(1), field(1)])), status: 400, code: 'invalid_template', path: 'fields[1].key' },
  { name: '20,000 fields', request: () => json('POST', '/api/templates', tpl(Array.from({ length: 20_000 }, (_, i) => field(i)))), status: 400, path: 'fields', message: /500/ },
  { name: 'no fields', request: () => json('POST', '/api/templates', tpl([])), status: 400, path: 'fields' },
  { name: 'a key with spaces', request: () => json('POST', '/api/templates', tpl([{ key: 'full name', type: 'string' }])), status: 400, path: 'fields[0].key' },
  { name: 'a pattern that is not a regular expression', request: () => json('POST', '/api/templates', tpl([{ key: 'a', type: 'string', pattern: '([' }])), status: 400, code: 'invalid_template', path: 'fields[0].pattern' },
  { name: 'options on a non-enum field', request: () => json('POST', '/api/templates', tpl([{ key: 'a', type: 'string', options: ['x'] }])), status: 400, path: 'fields[0].options' },
  { name: 'an unknown template property', request: () => json('POST', '/api/templates', tpl([field(0)], { colour: 'red' })), status: 400, path: 'colour' },
  { name: 'path traversal in a template id', request: () => json('POST', '/api/templates', { id: '../../etc/passwd', fields: [field(0)] }), status: 400, path: 'id' },
  { name: 'a template id that already exists with other fields', request: () => json('POST', '/api/templates', { id: 'existing', fields: [field(9)] }), status: 409, code: 'template_conflict' },
  // Fills
  { name: 'neither templateId nor template', request: () => json('POST', '/api/fills', { documentIds: [DOC_ID] }), status: 400, path: 'templateId' },
  { name: 'both templateId and template', request: () => json('POST', '/api/fills', { templateId: 'existing', template: tpl([field(0)]), documentIds: [DOC_ID] }), status: 400, path: 'templateId' },
  { name: 'an unknown template id', request: () => json('POST', '/api/fills', { templateId: 'nope', documentIds: [DOC_ID] }), status: 422, code: 'unknown_template', path: 'templateId' },
  { name: 'an unknown document id', request: () => json('POST', '/api/fills', { templateId: 'existing', documentIds: [DOC_ID] }), status: 422, code: 'unknown_document', path: 'documentIds[0]' },
  { name: 'documentIds missing', request: () => json('POST', '/api/fills', { templateId: 'existing' }), status: 400, path: 'documentIds' },
  { name: 'documentIds empty', request: () => json('POST', '/api/fills', { templateId: 'existing', documentIds: [] }), status: 400, path: 'documentIds' },
  { name: 'documentIds a string', request: () => json('POST', '/api/fills', { templateId: 'existing', documentIds: DOC_ID }), status: 400, path: 'documentIds' },
  { name: 'the same document twice', request: () => json('POST', '/api/fills', { templateId: 'existing', documentIds: [DOC_ID, DOC_ID] }), status: 400, path: 'documentIds' },
  { name: 'a document id that is a path', request: () => json('POST', '/api/fills', { templateId: 'existing', documentIds: ['../../etc/passwd'] }), status: 400, path: 'documentIds[0]' },
  { name: 'a number where options want an integer', request: () => json('POST', '/api/fills', { templateId: 'existing', documentIds: [DOC_ID], options: { maxBatchSize: '5' } }), status: 400, path: 'options.maxBatchSize' },
  { name: 'a batch size of 0', request: () => json('POST', '/api/fills', { templateId: 'existing', documentIds: [DOC_ID], options: { maxBatchSize: 0 } }), status: 400, path: 'options.maxBatchSize' },
  { name: 'an unknown option', request: () => json('POST', '/api/fills', { templateId: 'existing', documentIds: [DOC_ID], options: { turbo: true } }), status: 400, path: 'options.turbo' },
  { name: 'an inline template with an enum without options', request: () => json('POST', '/api/fills', { template: tpl([{ key: 'e', type: 'enum' }]), documentIds: [DOC_ID] }), status: 400, path: 'template.fields[0].options' },
  { name: 'an inline template with a wrong type', request: () => json('POST', '/api/fills', { template: tpl([{ key: 'e', type: ['string'] }]), documentIds: [DOC_ID] }), status: 400, path: 'template.fields[0].type' },
  // IDs in URLs
  { name: 'path traversal in a fill id', request: () => ({ method: 'GET', url: '/api/fills/..%2F..%2Fetc%2Fpasswd' }), status: 400, path: 'id' },
  { name: 'a fill id of ".."', request: () => ({ method: 'GET', url: '/api/fills/%2E%2E/output' }), status: [400, 404] },
  { name: 'a template id with a NUL', request: () => ({ method: 'GET', url: '/api/templates/abc%00def' }), status: 400, path: 'id' },
  { name: 'an unknown fill', request: () => ({ method: 'GET', url: '/api/fills/fill-unknown' }), status: 404, code: 'fill_not_found', path: 'id' },
  { name: 'an unknown template', request: () => ({ method: 'GET', url: '/api/templates/unknown' }), status: 404, code: 'template_not_found', path: 'id' },
  { name: 'the output of an unknown fill', request: () => ({ method: 'GET', url: '/api/fills/fill-unknown/output' }), status: 404, path: 'id' },
  { name: 'cancelling an unknown fill', request: () => ({ method: 'POST', url: '/api/fills/fill-unknown/cancel' }), status: 404, path: 'id' },
  { name: 'resuming an unknown fill', request: () => ({ method: 'POST', url: '/api/fills/fill-unknown/resume' }), status: 404, path: 'id' },
  { name: 'a bad query value', request: () => ({ method: 'GET', url: '/api/fills/fill-unknown/output?flatten=maybe' }), status: 400, path: 'flatten' },
  { name: 'an unknown route', request: () => ({ method: 'GET', url: '/api/../../etc/passwd' }), status: 404, code: 'not_found' },
  { name: 'a method the route lacks', request: () => ({ method: 'DELETE', url: '/api/templates/existing' }), status: 404, code: 'not_found' },
  // Document uploads
  { name: 'a document sent as JSON', request: () => json('POST', '/api/documents', { text: 'hi' }), status: 415 },
  { name: 'a multipart upload without a file', request: () => upload('/api/documents', [{ name: 'note', data: 'hi' }]), status: 400, code: 'missing_file' },
  { name: 'a file in the wrong part', request: () => upload('/api/documents', [{ name: 'document', filename: 'a.txt', data: 'hi' }]), status: 400, code: 'unexpected_part' },
  { name: 'path traversal in a file name', request: () => upload('/api/documents', [{ name: 'file', filename: '../../etc/cron.d/x.txt', data: 'hi' }]), status: 400, code: 'invalid_file_name', path: 'file' },
  { name: 'a Windows path in a file name', request: () => upload('/api/documents', [{ name: 'file', filename: '..\\..\\boot.txt', data: 'hi' }]), status: 400, code: 'invalid_file_name' },
  { name: 'a dot file', request: () => upload('/api/documents', [{ name: 'file', filename: '.bashrc.txt', data: 'hi' }]), status: 400, code: 'invalid_file_name' },
  { name: 'an executable', request: () => upload('/api/documents', [{ name: 'file', filename: 'tool.exe', data: 'MZ\x90\x00' }]), status: 415, code: 'unsupported_type' },
  { name: 'binary posing as .txt', request: () => upload('/api/documents', [{ name: 'file', filename: 'a.txt', data: Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0xa0]) }]), status: 422, path: 'file' },
  { name: 'binary posing as .docx (document)', request: () => upload('/api/documents', [{ name: 'file', filename: 'a.docx', data: Buffer.alloc(4096, 0x90) }]), status: [415, 422], path: 'file' },
  { name: 'a zip-bomb DOCX document', request: async () => upload('/api/documents', [{ name: 'file', filename: 'bomb.docx', data: await makeZipBombDocx(300 * 1024 * 1024) }]), status: 422, code: 'zip_bomb', path: 'file' },
  { name: 'a zip-bomb DOCX document that lies about its size', request: async () => upload('/api/documents', [{ name: 'file', filename: 'bomb.docx', data: await makeZipBombDocx(300 * 1024 * 1024, true) }]), status: 422, code: 'zip_bomb' },
  { name: 'an empty document', request: () => upload('/api/documents', [{ name: 'file', filename: 'empty.txt', data: '' }]), status: 422, path: 'file' },
  { name: 'a 200 MB upload, streamed', request: () => ({ method: 'POST', url: '/api/documents', ...hugeUpload('file', 'big.txt', 200 * 1024 * 1024) }), status: 413, code: 'file_too_large', path: 'file' },
  // Template uploads
  { name: 'binary posing as .docx (template)', request: () => upload('/api/templates', [{ name: 'file', filename: 'form.docx', data: Buffer.alloc(4096, 0x90) }]), status: 415, code: 'not_docx', path: 'file' },
  { name: 'a PDF posing as .docx', request: async () => upload('/api/templates', [{ name: 'file', filename: 'form.docx', data: await makePdfForm([{ name: 'a', kind: 'text' }]) }]), status: 415, code: 'not_docx' },
  { name: 'a zip-bomb DOCX', request: async () => upload('/api/templates', [{ name: 'file', filename: 'bomb.docx', data: await makeZipBombDocx(300 * 1024 * 1024, true) }]), status: 422, code: 'zip_bomb' },
  { name: 'an XFA PDF form', request: async () => upload('/api/templates', [{ name: 'file', filename: 'xfa.pdf', data: await makePdfForm([{ name: 'a', kind: 'text' }], { xfa: true }) }]), status: 422, code: 'xfa_form', message: /XFA/ },
  { name: 'a DOCX with an unclosed placeholder', request: () => upload('/api/templates', [{ name: 'file', filename: 'f.docx', data: makeDocx([['Name {{legal_', 'name']]) }]), status: 422, code: 'bad_placeholder', path: /^file/ },
  { name: 'a Markdown template with a bad placeholder', request: () => upload('/api/templates', [{ name: 'file', filename: 'f.md', data: 'a\n{{ two words }}' }]), status: 422, code: 'bad_placeholder', path: 'file: line 2' },
  { name: 'path traversal in a template file name', request: () => upload('/api/templates', [{ name: 'file', filename: '../../f.md', data: '{{a}}' }]), status: 400, code: 'invalid_file_name' },
  { name: 'an unsupported template type', request: () => upload('/api/templates', [{ name: 'file', filename: 'f.odt', data: 'x' }]), status: 415, code: 'unsupported_type' },
  { name: 'a spec part that is not JSON', request: () => upload('/api/templates', [{ name: 'spec', data: '{nope' }, { name: 'file', filename: 'f.md', data: '{{a}}' }]), status: 400, code: 'malformed_json' },
  { name: 'a spec part with an enum without options', request: () => upload('/api/templates', [{ name: 'spec', data: JSON.stringify({ fields: [{ key: 'a', type: 'enum' }] }) }, { name: 'file', filename: 'f.md', data: '{{a}}' }]), status: 400, path: 'spec.fields[0].options' },
  { name: 'two template files', request: () => upload('/api/templates', [{ name: 'file', filename: 'a.md', data: '{{a}}' }, { name: 'file', filename: 'b.md', data: '{{b}}' }]), status: [400, 413] },
  { name: 'an id part that is a path', request: () => upload('/api/templates', [{ name: 'id', data: '../x' }, { name: 'file', filename: 'f.md', data: '{{a}}' }]), status: 400, path: 'id' },
  // Cross-site use. DNS rebinding: a page on rebind.attacker.example points its name at 127.0.0.1 and then
  // talks to the API as its own origin, so only the Host tells the request apart.
  { name: 'a foreign Host', request: () => ({ method: 'GET', url: '/api/templates/existing', headers: { host: 'evil.example' } }), status: 403, code: 'forbidden_host', message: /FILLFLOW_API_ALLOWED_HOSTS/ },
  { name: 'a rebinding Host with the right port, reading', over: 'socket', request: () => ({ method: 'GET', url: '/api/templates/existing', headers: { host: `rebind.attacker.example:${listeningPort()}` } }), status: 403, code: 'forbidden_host', message: /rebind\.attacker\.example.*refused/ },
  { name: 'a rebinding Host with the right port, uploading', over: 'socket', request: () => upload('/api/documents', aDocument, { host: `rebind.attacker.example:${listeningPort()}` }), status: 403, code: 'forbidden_host' },
  { name: 'a rebinding Host with the right port, creating a template', over: 'socket', request: () => ({ ...json('POST', '/api/templates', tpl([field(0)])), headers: { 'content-type': 'application/json', host: `rebind.attacker.example:${listeningPort()}` } }), status: 403, code: 'forbidden_host' },
  { name: 'a loopback Host with another port', over: 'socket', request: () => ({ method: 'GET', url: '/api/templates', headers: { host: `127.0.0.1:${listeningPort() + 1}` } }), status: 403, code: 'forbidden_host', message: /listens on port \d+, not \d+/ },
  { name: 'a Host that is not a host name', request: () => ({ method: 'GET', url: '/api/templates', headers: { host: '127.0.0.1:80@evil.example' } }), status: 403, code: 'forbidden_host' },
  // A multipart POST is a "simple" request: a page sends it without a preflight, so it is refused outright.
  { name: 'a foreign Origin on a multipart upload', request: () => upload('/api/documents', aDocument, { origin: EVIL_ORIGIN }), status: 403, code: 'forbidden_origin', message: /evil\.example.*FILLFLOW_API_CORS_ORIGINS/, headers: { 'access-control-allow-origin': undefined } },
  { name: 'a foreign Origin on a multipart upload, over a socket', over: 'socket', request: () => upload('/api/documents', aDocument, { origin: EVIL_ORIGIN }), status: 403, code: 'forbidden_origin' },
  { name: 'a foreign Origin on a template upload', request: () => upload('/api/templates', [{ name: 'file', filename: 'hostile.md', data: '{{a}}' }], { origin: EVIL_ORIGIN }), status: 403, code: 'forbidden_origin' },
  { name: 'a foreign Origin starting a fill', request: () => ({ ...json('POST', '/api/fills', { template: tpl([field(0)]), documentIds: [DOC_ID] }), headers: { 'content-type': 'application/json', origin: EVIL_ORIGIN } }), status: 403, code: 'forbidden_origin' },
  { name: 'a listed origin under another scheme', request: () => upload('/api/documents', aDocument, { origin: 'http://app.example.com' }), status: 403, code: 'forbidden_origin' },
  { name: 'an opaque Origin ("null")', request: () => upload('/api/documents', aDocument, { origin: 'null' }), status: 403, code: 'forbidden_origin', message: /sandboxed/ },
  { name: 'Sec-Fetch-Site: cross-site on a multipart upload', request: () => upload('/api/documents', aDocument, { 'sec-fetch-site': 'cross-site' }), status: 403, code: 'forbidden_origin', message: /Sec-Fetch-Site: cross-site/ },
  { name: 'Sec-Fetch-Site: cross-site reading a template', request: () => ({ method: 'GET', url: '/api/templates/existing', headers: { 'sec-fetch-site': 'cross-site' } }), status: 403, code: 'forbidden_origin' },
  { name: 'a preflight from a foreign origin', request: () => ({ method: 'OPTIONS', url: '/api/fills', headers: { origin: EVIL_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } }), status: 403, code: 'forbidden_origin', headers: { 'access-control-allow-origin': undefined, 'access-control-allow-methods': undefined } },
];

describe('hostile requests', () => {
  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s → 4xx naming the problem', async (_name, c) => {
    const res = c.over === 'socket' ? await overSocket(await c.request()) : await app.inject(await c.request());
    const statuses = Array.isArray(c.status) ? c.status : [c.status];
    expect(statuses, res.body).toContain(res.statusCode);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json() as { error: { code: string; message: string; path?: string } };
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error.message.length).toBeGreaterThan(5);
    expect(res.body).not.toMatch(/\n\s+at |node_modules|\/work\//);
    if (c.code) expect(body.error.code).toBe(c.code);
    if (c.path instanceof RegExp) expect(body.error.path).toMatch(c.path);
    else if (c.path !== undefined) expect(body.error.path).toBe(c.path);
    if (c.message) expect(body.error.message).toMatch(c.message);
    for (const [name, value] of Object.entries(c.headers ?? {})) expect(res.headers[name], name).toBe(value);

    // Healthy after every one.
    expect((await app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);
  });

  it('stored nothing and started nothing', async () => {
    expect((await store.listTemplates()).map((t) => t.id)).toEqual(['existing']);
    expect(await store.listDocuments()).toEqual([]);
    expect(await store.getTemplateSource('hostile')).toBeUndefined();
    expect(fills.started).toEqual([]);
    expect(uploadsBefore()).toBe(uploadDirs);
  });
});

describe('bearer auth (FILLFLOW_API_TOKEN)', () => {
  let secured: FastifyInstance;
  beforeAll(async () => {
    const config = loadConfig({ FILLFLOW_DB: join(dir, 'auth.db'), FILLFLOW_API_TOKEN: 's3cret-token' }, {}, dir);
    secured = await buildApi({ store, fills: emptyFillService().service, config });
  });
  afterAll(() => secured?.close());

  it.each([
    ['no header', undefined, 401],
    ['the wrong token', 'Bearer s3cret-tokem', 401],
    ['a longer token with the right prefix', 'Bearer s3cret-token-and-more', 401],
    ['another scheme', 'Basic czNjcmV0LXRva2Vu', 401],
    ['the right token', 'Bearer s3cret-token', 200],
  ])('%s → %s', async (_name, authorization, status) => {
    const res = await secured.inject({ method: 'GET', url: '/api/templates', headers: authorization ? { authorization } : {} });
    expect(res.statusCode).toBe(status);
    if (status === 401) {
      expect(res.json().error.code).toBe('unauthorized');
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
  });

  it('guards unknown routes and the OpenAPI document too', async () => {
    expect((await secured.inject({ method: 'GET', url: '/api/nope' })).statusCode).toBe(401);
    expect((await secured.inject({ method: 'GET', url: '/api/openapi.json' })).statusCode).toBe(401);
    const doc = await secured.inject({ method: 'GET', url: '/api/openapi.json', headers: { authorization: 'Bearer s3cret-token' } });
    expect(doc.json().components.securitySchemes.bearerAuth.scheme).toBe('bearer');
    expect(doc.json().security).toEqual([{ bearerAuth: [] }]);
  });
});

describe('cross-site rules let the API be used as intended', () => {
  let plain: FastifyInstance;
  let proxied: FastifyInstance;
  let secured: FastifyInstance;
  beforeAll(async () => {
    const deps = (env: Record<string, string>) => ({ store, fills: fills.service, config: loadConfig({ FILLFLOW_DB: join(dir, 'fillflow.db'), ...env }, {}, dir) });
    plain = await buildApi(deps({}));
    proxied = await buildApi(deps({ FILLFLOW_API_ALLOWED_HOSTS: 'fillflow.internal, proxy.example:8443' }));
    secured = await buildApi(deps({ FILLFLOW_API_TOKEN: 's3cret-token', FILLFLOW_API_CORS_ORIGINS: ALLOWED_ORIGIN }));
  });
  afterAll(async () => {
    await plain?.close();
    await proxied?.close();
    await secured?.close();
  });

  it('answers to every loopback name on the port it listens on, and to same-origin and non-browser requests', async () => {
    const port = listeningPort();
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      expect((await overSocket({ method: 'GET', url: '/api/templates/existing', headers: { host } })).statusCode, host).toBe(200);
    }
    const sameOrigin = await overSocket({ method: 'GET', url: '/api/templates/existing', headers: { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` } });
    expect(sameOrigin.statusCode).toBe(200);
    expect(sameOrigin.headers['access-control-allow-origin']).toBeUndefined();
    for (const site of ['same-origin', 'none']) {
      expect((await app.inject({ method: 'GET', url: '/api/templates/existing', headers: { 'sec-fetch-site': site } })).statusCode, site).toBe(200);
    }
  });

  it('answers to FILLFLOW_API_ALLOWED_HOSTS: a name on any port, name:port on that port only', async () => {
    const get = (host: string) => proxied.inject({ method: 'GET', url: '/api/health', headers: { host } });
    expect((await get('fillflow.internal')).statusCode).toBe(200);
    expect((await get('fillflow.internal:9000')).statusCode).toBe(200);
    expect((await get('proxy.example:8443')).statusCode).toBe(200);
    const wrongPort = await get('proxy.example:443');
    expect(wrongPort.statusCode).toBe(403);
    expect(wrongPort.json().error.code).toBe('forbidden_host');
    expect((await get('other.example')).statusCode).toBe(403);
  });

  it('gives a listed origin CORS headers, on answers and on errors', async () => {
    const ok = await app.inject({ method: 'GET', url: '/api/templates/existing', headers: { origin: ALLOWED_ORIGIN } });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    expect(ok.headers.vary).toMatch(/Origin/);
    expect(ok.headers['access-control-expose-headers']).toMatch(/content-disposition/);
    expect(ok.headers['access-control-allow-credentials']).toBeUndefined();
    const missing = await app.inject({ method: 'GET', url: '/api/templates/unknown', headers: { origin: ALLOWED_ORIGIN } });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
  });

  it("answers a listed origin's preflight before the token check, and its request needs the token", async () => {
    const preflight = await secured.inject({
      method: 'OPTIONS',
      url: '/api/documents',
      headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization', 'access-control-request-private-network': 'true' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers).toMatchObject({
      'access-control-allow-origin': ALLOWED_ORIGIN,
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-allow-private-network': 'true',
    });
    const without = await secured.inject({ method: 'GET', url: '/api/templates', headers: { origin: ALLOWED_ORIGIN } });
    expect(without.statusCode).toBe(401);
    expect(without.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    const withToken = await secured.inject({ method: 'GET', url: '/api/templates', headers: { origin: ALLOWED_ORIGIN, authorization: 'Bearer s3cret-token' } });
    expect(withToken.statusCode).toBe(200);
  });

  it('keeps CORS off unless configured', async () => {
    const none = await plain.inject({ method: 'GET', url: '/api/templates/existing' });
    expect(none.statusCode).toBe(200);
    expect(none.headers['access-control-allow-origin']).toBeUndefined();
    const page = await plain.inject({ method: 'GET', url: '/api/templates/existing', headers: { origin: ALLOWED_ORIGIN } });
    expect(page.statusCode).toBe(403);
    expect(page.json().error.code).toBe('forbidden_origin');
    expect(page.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('an API beyond loopback', () => {
  /** A port nothing listens on, as far as this machine knows right now. */
  const freePort = () =>
    new Promise<number>((resolve, reject) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
      probe.on('error', reject);
    });

  it('does not start without FILLFLOW_API_TOKEN, and nothing listens', async () => {
    const port = await freePort();
    const config = loadConfig({ FILLFLOW_DB: join(dir, 'fillflow.db'), FILLFLOW_API_HOST: '0.0.0.0', FILLFLOW_API_PORT: String(port) }, {}, dir);
    const started = startApi({ store, fills: fills.service, config });
    await expect(started).rejects.toBeInstanceOf(ConfigError);
    await expect(started).rejects.toThrow(/FILLFLOW_API_HOST is 0\.0\.0\.0, beyond loopback, and FILLFLOW_API_TOKEN is not set/);
    await expect(fetch(`http://127.0.0.1:${port}/api/health`)).rejects.toThrow();
  });

  it('starts with a token, answers through loopback, and still refuses foreign Hosts', async () => {
    const config = loadConfig({ FILLFLOW_DB: join(dir, 'fillflow.db'), FILLFLOW_API_HOST: '0.0.0.0', FILLFLOW_API_TOKEN: 'wide-token' }, {}, dir);
    const wide = await startApi({ store, fills: fills.service, config }, { port: 0 });
    try {
      expect(wide.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const authorization = 'Bearer wide-token';
      expect((await fetch(`${wide.url}/api/health`, { headers: { authorization } })).status).toBe(200);
      expect((await fetch(`${wide.url}/api/health`)).status).toBe(401);
      const port = Number(new URL(wide.url).port);
      expect((await overSocket({ method: 'GET', url: '/api/health', headers: { host: `localhost:${port}`, authorization } }, port)).statusCode).toBe(200);
      const rebound = await overSocket({ method: 'GET', url: '/api/health', headers: { host: `rebind.attacker.example:${port}`, authorization } }, port);
      expect(rebound.statusCode).toBe(403);
      expect(rebound.json().error.code).toBe('forbidden_host');
    } finally {
      await wide.close();
    }
  });
});
