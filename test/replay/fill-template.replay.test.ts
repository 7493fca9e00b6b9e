/** Replays recorded fillTemplate histories against today's workflow code: a nondeterministic change fails here. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { installRuntime } from '../../src/runtime/runtime.js';
import { workflowsPath } from '../../src/worker.js';

installRuntime();

const dir = resolve(import.meta.dirname, 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
const load = (file: string) => historyFromJSON(JSON.parse(readFileSync(join(dir, file), 'utf8')));

describe('workflow replay (fillTemplate, bulkFill)', () => {
  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('replays %s deterministically', async (file) => {
    await Worker.runReplayHistory({ workflowsPath }, load(file), file);
  });

  it('fails on a workflow whose steps changed', async () => {
    const changed = resolve(import.meta.dirname, 'changed/index.ts');
    const fill = files.find((f) => f.startsWith('fill-template-'))!;
    await expect(Worker.runReplayHistory({ workflowsPath: changed }, load(fill), 'changed')).rejects.toThrow(/[Nn]ondetermin/);
  });
});
