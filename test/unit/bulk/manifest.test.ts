/** The bulk manifest: every bad line, missing file and duplicate row ID is named by its line, before anything starts. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestError, parseLine, readManifest } from '../../../src/bulk/manifest.js';

function manifest(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'fillflow-manifest-'));
  mkdirSync(join(dir, 'docs'));
  writeFileSync(join(dir, 'template.json'), '{}');
  writeFileSync(join(dir, 'docs', 'a.txt'), 'a');
  const file = join(dir, 'm.jsonl');
  writeFileSync(file, lines.join('\n'));
  return file;
}

async function problems(lines: string[]): Promise<{ line: number; message: string }[]> {
  const err = await readManifest(manifest(lines)).catch((e: unknown) => e);
  if (!(err instanceof ManifestError)) throw new Error('expected a ManifestError');
  return err.problems;
}

describe('readManifest', () => {
  it('reads rows with paths relative to its folder, skipping blank lines but counting them', async () => {
    const file = manifest(['{"row":"a","template":"template.json","docs":["docs/a.txt"]}', '', '{"row":"b","templateId":"t","documentIds":["d1","d2"]}']);
    const rows = await readManifest(file);
    expect(rows).toEqual([
      { line: 1, row: 'a', template: join(file, '..', 'template.json'), docs: [join(file, '..', 'docs', 'a.txt')] },
      { line: 3, row: 'b', templateId: 't', documentIds: ['d1', 'd2'] },
    ]);
  });

  it('names each bad line, missing file and duplicate row by its line', async () => {
    expect(
      await problems([
        '{"row":"a","template":"template.json","docs":["docs"]}',
        '{"row":"a","template":"template.json","docs":["docs"]}',
        'not json',
        '{"row":"c","template":"missing.json","docs":["docs/nope.txt"]}',
        '[1]',
      ]),
    ).toEqual([
      { line: 2, message: 'duplicate row ID "a" (first on line 1)' },
      { line: 3, message: expect.stringMatching(/^not JSON: /) },
      { line: 4, message: expect.stringMatching(/missing\.json: no such file or folder$/) },
      { line: 4, message: expect.stringMatching(/nope\.txt: no such file or folder$/) },
      { line: 5, message: expect.stringMatching(/^each line must be a JSON object/) },
    ]);
  });

  it('refuses an empty manifest and a missing one', async () => {
    expect(await problems(['', '  '])).toEqual([{ line: 1, message: 'the manifest has no rows' }]);
    await expect(readManifest('/nonexistent/m.jsonl')).rejects.toThrow(/no such manifest file/);
  });
});

describe('parseLine', () => {
  const cases: [string, unknown, RegExp | undefined][] = [
    ['a template file and documents', { row: 'r-1.a_b', template: 't.json', docs: ['d'] }, undefined],
    ['stored IDs', { row: 'r', templateId: 't', documentIds: ['x'] }, undefined],
    ['no row', { template: 't.json', docs: ['d'] }, /"row" must be/],
    ['a row with a slash', { row: 'a/b', template: 't.json', docs: ['d'] }, /"row" must be/],
    ['a numeric row', { row: 7, template: 't.json', docs: ['d'] }, /"row" must be/],
    ['both template and templateId', { row: 'r', template: 't.json', templateId: 't', docs: ['d'] }, /exactly one of "template"/],
    ['neither template nor templateId', { row: 'r', docs: ['d'] }, /exactly one of "template"/],
    ['both docs and documentIds', { row: 'r', templateId: 't', docs: ['d'], documentIds: ['x'] }, /exactly one of "docs"/],
    ['empty docs', { row: 'r', templateId: 't', docs: [] }, /"docs" must be a non-empty array/],
    ['a number among documentIds', { row: 'r', templateId: 't', documentIds: [1] }, /"documentIds" must be a non-empty array/],
    ['an unknown key', { row: 'r', templateId: 't', documentIds: ['x'], note: 1 }, /unknown key "note"/],
  ];
  for (const [name, value, problem] of cases) {
    it(problem ? `refuses ${name}` : `takes ${name}`, () => {
      const parsed = parseLine(JSON.stringify(value), '/base');
      if (problem) expect('problem' in parsed && parsed.problem).toMatch(problem);
      else expect('problem' in parsed).toBe(false);
    });
  }
});
