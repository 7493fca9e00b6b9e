/** A template's own settings over HTTP: the documents' locale and date order, and the policy for unproven
 * values, are taken and stored; a bad one is refused with its path; a fill's `unproven` option reaches the start. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../../src/api/build-api.js';
import { loadConfig } from '../../../src/config.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { emptyFillService } from './fake-fill-service.js';

let store: Store;
let api: Awaited<ReturnType<typeof buildApi>>;
const fills = emptyFillService();

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fillflow-tpl-settings-'));
  store = openStore({ dbPath: join(dir, 'store.db') });
  const config = loadConfig({ FILLFLOW_DB: join(dir, 'store.db') }, {}, dir);
  api = await buildApi({ store, fills: fills.service, config });
});
afterAll(async () => {
  await api.close();
  await store.close();
});

const template = { id: 'uk-form', fields: [{ key: 'signed_on', type: 'date' }] };

describe('template settings over HTTP', () => {
  it('stores locale, dateOrder and unproven with the template', async () => {
    const res = await api.inject({ method: 'POST', url: '/api/templates', payload: { ...template, locale: 'en-GB', dateOrder: 'DMY', unproven: 'invalid' } });
    expect(res.statusCode, res.body).toBe(201);
    expect(await store.getTemplate('uk-form')).toMatchObject({ locale: 'en-GB', dateOrder: 'DMY', unproven: 'invalid' });
  });

  it.each([
    [{ dateOrder: 'DDMM' }, 'dateOrder'],
    [{ unproven: 'reject' }, 'unproven'],
    [{ locale: 'not a locale tag' }, 'locale'],
  ])('refuses %j, naming it', async (bad, path) => {
    const res = await api.inject({ method: 'POST', url: '/api/templates', payload: { ...template, id: 'bad-form', ...bad } });
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json())).toContain(path);
    expect(await store.getTemplate('bad-form')).toBeUndefined();
  });

  it("passes a fill's unproven option to the start path", async () => {
    const [doc] = [await store.putDocument({ name: 'a.txt', mimeType: 'text/plain', text: 'Signed on 3 April 2024.' }, [{ seq: 0, start: 0, end: 23, text: 'Signed on 3 April 2024.', tokens: 6 }])];
    const res = await api.inject({ method: 'POST', url: '/api/fills', payload: { templateId: 'uk-form', documentIds: [doc!.id], options: { unproven: 'invalid' } } });
    expect(res.statusCode, res.body).toBe(202);
    expect(fills.started.at(-1)).toMatchObject({ templateId: 'uk-form', options: { unproven: 'invalid' } });
  });
});
