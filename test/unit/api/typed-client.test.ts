/** A client generated from the served /api/openapi.json, as a service in another codebase would make one:
 * openapi-typescript turns the document into types, openapi-fetch calls a started API through them.
 *
 * The types are committed (fillflow-api.generated.ts) so that `tsc` checks the calls below against them in
 * `npm test`; the first test regenerates them from the document the API serves now and fails if they differ,
 * so they cannot go stale. After changing a route, refresh them with
 * `npx vitest run --project unit test/unit/api/typed-client.test.ts -u` and review the diff: it is the change
 * generated clients will see. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import createClient from 'openapi-fetch';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { startApi, type RunningApi } from '../../../src/api/start-api.js';
import { loadConfig } from '../../../src/config.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { emptyFillService } from './fake-fill-service.js';
import type { components, paths } from './fillflow-api.generated.js';

const HEADER = '// Generated from GET /api/openapi.json by openapi-typescript; regenerate as test/unit/api/typed-client.test.ts says.\n';

const dir = mkdtempSync(join(tmpdir(), 'fillflow-typed-client-'));
let store: Store;
let api: RunningApi;

beforeAll(async () => {
  const config = loadConfig({ FILLFLOW_DB: join(dir, 'fillflow.db') }, {}, dir);
  store = openStore({ dbPath: config.dbPath });
  await store.putTemplate({ id: 'supplier', name: 'Supplier', fields: [{ key: 'legal_name', label: 'Legal name', type: 'string', required: true }] });
  api = await startApi({ store, fills: emptyFillService().service, config }, { port: 0 });
});
afterAll(async () => {
  await api?.close();
  await store?.close();
});

describe('a client generated from /api/openapi.json', () => {
  it('has the committed types, regenerated from the served document', async () => {
    const document = (await (await fetch(`${api.url}/api/openapi.json`)).json()) as OpenAPI3;
    const generated = astToString(await openapiTS(document));
    expect(generated).toContain('operations');
    await expect(HEADER + generated).toMatchFileSnapshot('./fillflow-api.generated.ts');
  });

  it('calls GET /api/health and GET /api/templates/{id} with typed answers and errors', async () => {
    const client = createClient<paths>({ baseUrl: api.url });

    const health = await client.GET('/api/health');
    expectTypeOf(health.data).toEqualTypeOf<{ status: 'ok' } | undefined>();
    expect(health.response.status).toBe(200);
    expect(health.data).toEqual({ status: 'ok' });

    const found = await client.GET('/api/templates/{id}', { params: { path: { id: 'supplier' } } });
    expect(found.error).toBeUndefined();
    const template = found.data!;
    expectTypeOf(template.id).toEqualTypeOf<string>();
    expectTypeOf(template.format).toEqualTypeOf<'json' | 'markdown' | 'docx' | 'pdf'>();
    expectTypeOf(template.fields[0]!.key).toEqualTypeOf<string>();
    expect(template).toMatchObject({ id: 'supplier', format: 'json', fields: [{ key: 'legal_name', type: 'string' }] });

    const missing = await client.GET('/api/templates/{id}', { params: { path: { id: 'no-such-template' } } });
    expectTypeOf(missing.error).toEqualTypeOf<components['schemas']['Error'] | undefined>();
    expect(missing.response.status).toBe(404);
    expect(missing.error?.error).toMatchObject({ code: 'template_not_found', path: 'id' });
  });

  it('refuses, at compile time, a call the document does not allow', () => {
    const client = createClient<paths>({ baseUrl: api.url });
    // Never run: tsc checks these lines in `npm test`, and each must be an error there.
    const wrongCalls = () => {
      // @ts-expect-error the template id is a required path parameter
      void client.GET('/api/templates/{id}', {});
      // @ts-expect-error no such route
      void client.GET('/api/template/{id}', { params: { path: { id: 'x' } } });
      // @ts-expect-error documentIds is required when starting a fill
      void client.POST('/api/fills', { body: { templateId: 'supplier' } });
    };
    expect(typeof wrongCalls).toBe('function');
  });
});
