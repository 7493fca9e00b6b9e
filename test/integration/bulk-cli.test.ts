/** `fillflow bulk` and `/api/bulks` on a real dev server: a manifest's dry run starts nothing; a run writes
 * results.jsonl (every row, in manifest order) and summary.json (actuals beside the forecast); `bulk status`
 * and `bulk results` read it back; a bad manifest is refused with its line numbers before anything starts; the
 * HTTP routes start, follow, stream and refuse the same way. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../src/api/build-api.js';
import { bulkCommand, bulkResultsCommand, bulkStatusCommand } from '../../src/cli/bulk-command.js';
import { FillflowClient } from '../../src/client.js';
import type { FillResult } from '../../src/core/types.js';
import { ingestPaths } from '../../src/retrieval/ingest.js';
import { createWorkers, type WorkerSet } from '../../src/worker.js';
import { useDevServerRigs } from '../helpers/dev-server-rigs.js';
import { TEST_API_KEY, workflowBundle, type Rig } from '../helpers/fill-harness.js';
import { BULK_TEMPLATE, registerAnswers, rowDocument, rowNumber, rowValues } from './bulk-fixture.js';

const { env, rig: newRig } = useDevServerRigs();
let rig: Rig;
let workers: WorkerSet;
let running: Promise<void>;
let dir: string;
let storedDocId: string;

beforeAll(async () => {
  rig = await newRig({ emulator: { answer: registerAnswers }, env: { FILLFLOW_PROFILE: 'aggressive' } });
  workers = await createWorkers({ config: rig.config, connection: env().nativeConnection, store: rig.store, workflowBundle: await workflowBundle() });
  running = workers.run();
  dir = join(rig.dir, 'manifest');
  mkdirSync(join(dir, 'docs', 'folder'), { recursive: true });
  writeFileSync(join(dir, 'template.json'), JSON.stringify(BULK_TEMPLATE));
  for (const i of [11, 12, 13, 14]) writeFileSync(join(dir, 'docs', `entry-${i}.txt`), rowDocument(i));
  writeFileSync(join(dir, 'docs', 'folder', 'entry-16.txt'), rowDocument(16));
  writeFileSync(join(dir, 'stored-15.txt'), rowDocument(15));
  storedDocId = (await ingestPaths(rig.store, [join(dir, 'stored-15.txt')]))[0]!.id;
  await rig.store.putTemplate(BULK_TEMPLATE);
});
afterAll(async () => {
  workers?.shutdown();
  await running;
});

/** The manifest's lines: files relative to its folder, one row by stored IDs, one by a folder. */
function manifestLines(): string[] {
  return [
    ...[11, 12, 13, 14].map((i) => JSON.stringify({ row: `r0${i}`, template: 'template.json', docs: [`docs/entry-${i}.txt`] })),
    JSON.stringify({ row: 'r015', templateId: BULK_TEMPLATE.id, documentIds: [storedDocId] }),
    JSON.stringify({ row: 'r016', template: 'template.json', docs: ['docs/folder'] }),
  ];
}

/** Runs a CLI command with the rig's environment (TEMPORAL_ADDRESS: the command uses this server's workers). */
async function cli(run: (io: { stderr: (l: string) => void; stdout: (l: string) => void }) => Promise<number>): Promise<{ code: number; stderr: string[]; stdout: string[] }> {
  const environment = {
    TEMPORAL_ADDRESS: env().address,
    FILLFLOW_DB: rig.config.dbPath,
    FILLFLOW_PROFILE: 'aggressive',
    GEMINI_API_KEY: TEST_API_KEY,
    GEMINI_BASE_URL: rig.emulator.url,
  };
  const saved = { ...process.env };
  Object.assign(process.env, environment);
  const stderr: string[] = [];
  const stdout: string[] = [];
  try {
    const code = await run({ stderr: (l) => stderr.push(l), stdout: (l) => stdout.push(l) });
    return { code, stderr, stdout };
  } finally {
    for (const key of Object.keys(environment)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

async function bulkWorkflows(): Promise<number> {
  let n = 0;
  for await (const _ of env().client.workflow.list({ query: 'WorkflowType = "bulkFill"' })) n++;
  return n;
}

function expectRight(line: { row: string } & FillResult): void {
  const want = rowValues(rowNumber(line.row));
  for (const [key, value] of Object.entries(want)) expect([line.row, key, line.fields.find((f) => f.key === key)?.value]).toEqual([line.row, key, value]);
}

describe('fillflow bulk', () => {
  it('prints the forecast on --dry-run and starts nothing', async () => {
    const manifest = join(dir, 'dry.jsonl');
    writeFileSync(manifest, `${manifestLines().join('\n')}\n`);
    const before = rig.emulator.requests.length;
    const { code, stderr, stdout } = await cli((io) => bulkCommand({ manifest, dryRun: true, json: true }, io));
    expect(code, stderr.join('\n')).toBe(0);
    expect(stderr[0]).toMatch(/^bulk: dry run/);
    const forecast = JSON.parse(stdout[0]!) as { rows: number; distinctRows: number; calls: number; cost: Record<string, number | undefined>; quota: { seconds: number }; window: number };
    expect(forecast).toMatchObject({ rows: 6, distinctRows: 6, calls: 6 });
    expect(forecast.cost.batch).toBeCloseTo(forecast.cost.standard! / 2, 5);
    expect(forecast.window).toBeGreaterThanOrEqual(2);
    expect(rig.emulator.requests.length).toBe(before);
    expect(await bulkWorkflows()).toBe(0);
  });

  it('runs a manifest and writes results.jsonl in manifest order and summary.json beside the forecast', async () => {
    const manifest = join(dir, 'rows.jsonl');
    writeFileSync(manifest, `${manifestLines().join('\n')}\n`);
    const out = join(rig.dir, 'out');
    const { code, stderr } = await cli((io) => bulkCommand({ manifest, out, window: '3' }, io));
    expect(code, stderr.join('\n')).toBe(0);
    expect(stderr[0]).toMatch(/^bulk: bulk-[0-9a-f-]{36}$/);
    const bulkId = stderr[0]!.slice('bulk: '.length);
    expect(stderr.at(-1)).toMatch(/^done: completed; 6\/6 rows completed, 0 failed; 6 \(forecast 6\) Gemini call/);

    const lines = readFileSync(join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { row: string } & FillResult);
    expect(lines.map((l) => l.row)).toEqual(['r011', 'r012', 'r013', 'r014', 'r015', 'r016']);
    for (const l of lines) {
      expectRight(l);
      expect(l.fillId).toBe(`${bulkId}/${l.row}`);
      expect(l.usage.apiCalls).toBe(1);
    }
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ bulkId, status: 'completed', rows: 6, completed: 6, failed: 0, usage: { apiCalls: 6, route: 'standard' }, forecast: { calls: 6 } });
    expect(summary.usage.costUsd).toBeGreaterThan(0);

    const status = await cli((io) => bulkStatusCommand(bulkId, { json: true }, io));
    expect(JSON.parse(status.stdout[0]!)).toMatchObject({ bulkId, status: 'completed', progress: { rows: 6, completed: 6, failed: 0, running: 0 } });
    const again = join(rig.dir, 'again');
    expect((await cli((io) => bulkResultsCommand(bulkId, { out: again }, io))).code).toBe(0);
    expect(readFileSync(join(again, 'results.jsonl'), 'utf8')).toBe(readFileSync(join(out, 'results.jsonl'), 'utf8'));
  });

  it('refuses a bad manifest with the line numbers of its problems, before anything starts', async () => {
    const manifest = join(dir, 'bad.jsonl');
    const lines = manifestLines();
    writeFileSync(
      manifest,
      [
        lines[0],
        '',
        '{"row": "r099", "template": "template.json", "docs": [', // line 3: not JSON
        lines[0], // line 4: the same row ID as line 1
        JSON.stringify({ row: 'r098', template: 'template.json', docs: ['docs/missing.txt'] }), // line 5: no such file
        JSON.stringify({ row: 'r097', template: 'template.json', documents: ['x'] }), // line 6: unknown key
      ].join('\n'),
    );
    const workflowsBefore = await bulkWorkflows();
    const requestsBefore = rig.emulator.requests.length;
    const refused = await cli((io) => bulkCommand({ manifest, out: join(rig.dir, 'bad-out') }, io)).catch((err: Error) => err);
    expect(refused).toBeInstanceOf(Error);
    const message = (refused as Error).message;
    expect(message).toContain(`${manifest}:3: not JSON`);
    expect(message).toContain(`${manifest}:4: duplicate row ID "r011" (first on line 1)`);
    expect(message).toMatch(new RegExp(`${manifest.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:5: .*missing\\.txt: no such file`));
    expect(message).toContain(`${manifest}:6: unknown key "documents"`);
    expect(await bulkWorkflows()).toBe(workflowsBefore);
    expect(rig.emulator.requests.length).toBe(requestsBefore);
  });
});

describe('/api/bulks', () => {
  it('starts a bulk, follows it, streams its results and refuses what it cannot run', async () => {
    const api = await buildApi({ store: rig.store, fills: new FillflowClient(env().client, { config: rig.config, store: rig.store }), config: rig.config });
    try {
      const rows = [21, 22, 23].map((i) => ({ row: `h${i}`, documentIds: [] as string[], i }));
      for (const r of rows) {
        const path = join(dir, `http-${r.i}.txt`);
        writeFileSync(path, rowDocument(r.i));
        r.documentIds = [(await ingestPaths(rig.store, [path]))[0]!.id];
      }
      const body = { templateId: BULK_TEMPLATE.id, rows: rows.map(({ row, documentIds }) => ({ row, documentIds })), window: 2 };

      const dry = await api.inject({ method: 'POST', url: '/api/bulks', payload: { ...body, dryRun: true } });
      expect(dry.statusCode, dry.body).toBe(200);
      expect(dry.json()).toMatchObject({ rows: 3, calls: 3, window: 2 });

      const dup = await api.inject({ method: 'POST', url: '/api/bulks', payload: { ...body, rows: [body.rows[0], body.rows[0]] } });
      expect([dup.statusCode, dup.json().error.path]).toEqual([400, 'rows[1].row']);
      const unknown = await api.inject({ method: 'POST', url: '/api/bulks', payload: { ...body, rows: [{ row: 'x', documentIds: ['nope'] }] } });
      expect([unknown.statusCode, unknown.json().error.code, unknown.json().error.path]).toEqual([422, 'unknown_document', 'rows[0].documentIds[0]']);

      const started = await api.inject({ method: 'POST', url: '/api/bulks', payload: body });
      expect(started.statusCode, started.body).toBe(202);
      const { bulkId } = started.json() as { bulkId: string };
      let state: { status: string; progress: Record<string, number>; usage: Record<string, number> } | undefined;
      for (let i = 0; i < 200; i++) {
        state = (await api.inject({ method: 'GET', url: `/api/bulks/${bulkId}` })).json();
        if (state!.status !== 'running') break;
        await new Promise((r) => setTimeout(r, 150));
      }
      expect(state).toMatchObject({ status: 'completed', progress: { rows: 3, completed: 3, failed: 0, running: 0, parked: 0 }, usage: { apiCalls: 3 } });

      const results = await api.inject({ method: 'GET', url: `/api/bulks/${bulkId}/results` });
      expect(results.headers['content-type']).toMatch(/^application\/x-ndjson/);
      const lines = results.body.trim().split('\n').map((l) => JSON.parse(l) as { row: string } & FillResult);
      expect(lines.map((l) => l.row)).toEqual(['h21', 'h22', 'h23']);
      for (const l of lines) expect(l.fields.find((f) => f.key === 'legal_name')?.value).toBe(rowValues(Number(l.row.slice(1))).legal_name);

      expect((await api.inject({ method: 'POST', url: `/api/bulks/${bulkId}/cancel` })).statusCode).toBe(409);
      expect((await api.inject({ method: 'GET', url: '/api/bulks/bulk-unknown' })).statusCode).toBe(404);
    } finally {
      await api.close();
    }
  });
});
