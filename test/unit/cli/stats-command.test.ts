/** `fillflow stats` names the endpoint that answered: Google's API, or an emulator's or proxy's base URL. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { statsCommand } from '../../../src/cli/stats-command.js';
import { openStore } from '../../../src/store/open-store.js';

const saved = process.env.FILLFLOW_DB;
afterEach(() => {
  if (saved === undefined) delete process.env.FILLFLOW_DB;
  else process.env.FILLFLOW_DB = saved;
});

async function statsOf(events: { endpoint: string; model: string }[]): Promise<string[]> {
  const dbPath = join(mkdtempSync(join(tmpdir(), 'fillflow-stats-')), 'fillflow.db');
  const store = openStore({ dbPath });
  for (const e of events) await store.recordUsage({ fillId: 'f1', batchId: 'b0', kind: 'api_call', fields: 3, promptTokens: 100, outputTokens: 10, ...e });
  await store.close();
  process.env.FILLFLOW_DB = dbPath;
  const lines: string[] = [];
  expect(await statsCommand({}, { stdout: (l) => lines.push(l), stderr: () => undefined })).toBe(0);
  return lines;
}

describe('fillflow stats', () => {
  it('says when answers came from another server than Google, with its base URL', async () => {
    const lines = await statsOf([{ endpoint: 'http://127.0.0.1:4010', model: 'gemini-3.5-flash' }]);
    expect(lines.join('\n')).toMatch(/answered by gemini-3\.5-flash at http:\/\/127\.0\.0\.1:4010 \(not Google's API: an emulator/);
  });

  it("names Google's API when the answers came from it, without a warning", async () => {
    const lines = (await statsOf([{ endpoint: 'gemini', model: 'gemini-3.5-flash' }])).join('\n');
    expect(lines).toMatch(/answered by gemini-3\.5-flash at Google's Gemini API: 1 calls/);
    expect(lines).not.toMatch(/not Google's API/);
  });
});
