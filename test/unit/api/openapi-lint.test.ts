/** The served OpenAPI document, linted by Redocly's CLI with its recommended rules (the devDependency, run
 * offline with telemetry off): no error, no warning, with and without a token configured. Then the properties
 * generated clients rely on, checked by name so a failure says which. */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../../src/api/build-api.js';
import { loadConfig } from '../../../src/config.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { emptyFillService } from './fake-fill-service.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'fillflow-openapi-lint-'));
let store: Store;
const served: Record<'open' | 'token', any> = { open: undefined, token: undefined };

beforeAll(async () => {
  store = openStore({ dbPath: join(dir, 'fillflow.db') });
  for (const kind of ['open', 'token'] as const) {
    const env = { FILLFLOW_DB: join(dir, 'fillflow.db'), ...(kind === 'token' ? { FILLFLOW_API_TOKEN: 'lint-token' } : {}) };
    const app = await buildApi({ store, fills: emptyFillService().service, config: loadConfig(env, {}, dir) });
    const res = await app.inject({ method: 'GET', url: '/api/openapi.json', headers: { host: '127.0.0.1:8080', authorization: 'Bearer lint-token' } });
    expect(res.statusCode).toBe(200);
    served[kind] = res.json();
    await app.close();
  }
});
afterAll(() => store?.close());

/** The CLI's own entry, found through its package.json so no shell or PATH is involved. */
function redoclyCli(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@redocly/cli/package.json')), 'bin', 'cli.js');
}

interface LintReport {
  totals: { errors: number; warnings: number; ignored: number };
  problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
}

describe('the OpenAPI document', () => {
  it('lints clean with Redocly recommended rules, with and without a token', async () => {
    const files = (['open', 'token'] as const).map((kind) => {
      const file = join(dir, `openapi-${kind}.json`);
      writeFileSync(file, JSON.stringify(served[kind], null, 2));
      return file;
    });
    // An explicit config file, so a redocly.yaml elsewhere cannot change the rules; telemetry and update checks off.
    const config = join(dir, 'redocly.yaml');
    writeFileSync(config, 'extends:\n  - recommended\n');
    const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };
    const { stdout } = await run(process.execPath, [redoclyCli(), 'lint', ...files, '--config', config, '--format', 'json'], { env, timeout: 60_000, cwd: dir }).catch(
      // Problems make the CLI exit 1; its report is still on stdout.
      (err: { stdout?: string; stderr?: string }) => {
        if (!err.stdout) throw new Error(`redocly lint did not run: ${err.stderr ?? String(err)}`);
        return { stdout: err.stdout };
      },
    );
    // One report per file, printed back to back.
    const reports = JSON.parse(`[${stdout.trim().replace(/^\}\{$/gm, '},{')}]`) as LintReport[];
    expect(reports).toHaveLength(files.length);
    const problems = reports.flatMap((r, i) => r.problems.map((p) => `${files[i]}: ${p.severity} ${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`));
    expect(problems).toEqual([]);
    for (const r of reports) expect(r.totals).toEqual({ errors: 0, warnings: 0, ignored: 0 });
  }, 60_000);

  it('names every operation with a unique camelCase operationId and a tag', () => {
    const operations = Object.entries(served.open.paths as Record<string, Record<string, any>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, operationId: op.operationId, tags: op.tags })),
    );
    expect(operations.map((o) => [o.route, o.operationId])).toEqual([
      ['POST /api/documents', 'uploadDocument'],
      ['POST /api/templates', 'createTemplate'],
      ['GET /api/templates', 'listTemplates'],
      ['GET /api/templates/{id}', 'getTemplate'],
      ['POST /api/fills', 'startFill'],
      ['GET /api/fills/{id}', 'getFill'],
      ['POST /api/fills/{id}/resume', 'resumeFill'],
      ['POST /api/fills/{id}/cancel', 'cancelFill'],
      ['GET /api/fills/{id}/output', 'getFillOutput'],
      ['GET /api/templates/stats/api-usage', 'getApiUsage'],
      ['POST /api/bulks', 'startBulk'],
      ['GET /api/bulks/{id}', 'getBulk'],
      ['GET /api/bulks/{id}/results', 'getBulkResults'],
      ['POST /api/bulks/{id}/cancel', 'cancelBulk'],
      ['POST /api/bulks/{id}/resume', 'resumeBulk'],
      ['GET /metrics', 'getMetrics'],
      ['GET /api/health', 'getHealth'],
      ['GET /api/openapi.json', 'getOpenApiDocument'],
    ]);
    for (const o of operations) expect(o.tags, o.route).toHaveLength(1);
  });

  it('declares the bearer scheme always, required only when the server has a token', () => {
    for (const kind of ['open', 'token'] as const) {
      expect(served[kind].components.securitySchemes).toEqual({ bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }) });
    }
    expect(served.token.security).toEqual([{ bearerAuth: [] }]);
    // Without a token a request may carry one or none: `{}` is OpenAPI's "no security" alternative.
    expect(served.open.security).toEqual([{ bearerAuth: [] }, {}]);
  });

  it('names the server the document was read from, and refers every error to one schema', () => {
    expect(served.open.servers).toEqual([expect.objectContaining({ url: 'http://{host}', variables: { host: expect.objectContaining({ default: '127.0.0.1:8080' }) } })]);
    expect(served.open.components.schemas.Error.required).toEqual(['error']);
    for (const [path, methods] of Object.entries(served.open.paths as Record<string, Record<string, any>>)) {
      for (const op of Object.values(methods)) {
        expect(op.responses['4XX'], path).toEqual({ $ref: '#/components/responses/ClientError' });
        for (const [code, res] of Object.entries(op.responses as Record<string, any>)) {
          if (/^4\d\d$/.test(code)) expect(res.content['application/json'].schema, `${path} ${code}`).toEqual({ $ref: '#/components/schemas/Error' });
        }
      }
    }
  });
});
