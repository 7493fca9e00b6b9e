/** `fillflow ingest` and `fillflow fill --docs` apply the document guard as the HTTP API does: an oversized file, a
 * zip bomb, a .pdf that is text and a binary .txt are refused with the file and the rule named (exit code 2), and
 * nothing is stored. */
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError, ExitCode } from '../../../src/cli/cli-error.js';
import { fillCommand } from '../../../src/cli/fill-command.js';
import { ingestCommand } from '../../../src/cli/inspect-commands.js';
import { openStore } from '../../../src/store/open-store.js';
import { makeZipBombDocx } from '../../helpers/template-fixtures.js';

const saved = process.env.FILLFLOW_DB;
let dir: string;
let dbPath: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fillflow-ingest-cli-'));
  dbPath = join(dir, 'fillflow.db');
  process.env.FILLFLOW_DB = dbPath;
});

afterEach(() => {
  if (saved === undefined) delete process.env.FILLFLOW_DB;
  else process.env.FILLFLOW_DB = saved;
  rmSync(dir, { recursive: true, force: true });
});

function write(relative: string, content: string | Uint8Array): string {
  const path = join(dir, relative);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}

async function storedNames(): Promise<string[]> {
  const store = openStore({ dbPath });
  try {
    return (await store.listDocuments()).map((d) => d.name);
  } finally {
    await store.close();
  }
}

async function ingest(paths: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const code = await ingestCommand(paths, {}, { stdout: (l) => out.push(l), stderr: (l) => out.push(l) });
  return { code, out };
}

describe('fillflow ingest', () => {
  it.each([
    [
      'a file over the 50 MiB limit (by its size, never read)',
      () => {
        const path = write('docs/huge.txt', '');
        truncateSync(path, 60 * 1024 * 1024);
        return path;
      },
      /huge\.txt: the file is 62914560 bytes \(60 MiB\), over the limit for documents of 52428800 bytes \(50 MiB\)/,
    ],
    ['a DOCX zip bomb', async () => write('docs/bomb.docx', await makeZipBombDocx(300 * 1024 * 1024, true)), /bomb\.docx: refused as a zip bomb/],
    ['a .pdf that is text', () => write('docs/minutes.pdf', 'Minutes of the meeting.'), /minutes\.pdf: not a PDF file: no %PDF- header/],
    ['a binary .txt', () => write('docs/blob.txt', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0])), /blob\.txt: not a text file: it is an executable/],
  ])('refuses a folder holding %s, naming it, and stores nothing', async (_name, makeBad, message) => {
    write('docs/good.txt', 'A good document.');
    await makeBad();
    const err = await ingest([join(dir, 'docs')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(ExitCode.badInput);
    expect((err as CliError).message).toMatch(message);
    expect(await storedNames()).toEqual([]);
  });

  it('stores a folder of good documents and prints one line for each', async () => {
    write('docs/a.txt', 'First document.');
    write('docs/b.md', '# Second document');
    const { code, out } = await ingest([join(dir, 'docs')]);
    expect(code).toBe(ExitCode.ok);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^[0-9a-f]{64} {2}a\.txt {2}\(15 characters\)$/);
    expect(await storedNames()).toEqual(expect.arrayContaining(['a.txt', 'b.md']));
  });
});

describe('fillflow fill --docs', () => {
  it('refuses a zip bomb among the documents before anything is stored or started', async () => {
    write('docs/good.txt', 'A good document.');
    write('docs/bomb.docx', await makeZipBombDocx(300 * 1024 * 1024));
    const lines: string[] = [];
    const err = await fillCommand(
      { template: resolve(import.meta.dirname, '../../../examples/supplier-onboarding/template.json'), docs: [join(dir, 'docs')], out: join(dir, 'result.json') },
      { stdout: (l) => lines.push(l), stderr: (l) => lines.push(l) },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).message).toMatch(/bomb\.docx: refused as a zip bomb/);
    // No `fill: <ID>` line: no fill was started.
    expect(lines).toEqual([]);
    expect(await storedNames()).toEqual([]);
  });
});
