import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { defineSearchAttributeKey } from '@temporalio/common';
import proto from '@temporalio/proto';

// A CommonJS package: Node's ESM loader (tsx) gives only its default export.
const { temporal } = proto;
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server.js';
import { createLocalTestEnv, createTimeSkippingTestEnv } from '../helpers/temporal-env.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fillflow-dev-server-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

describe('startDevServer', () => {
  let server: DevServer | undefined;

  afterAll(async () => {
    await server?.stop();
  });

  it('serves on a free port with a SQLite file, a search attribute and one partition, then stops', async () => {
    const dbFilename = join(dir, 'nested', 'temporal.db');
    const t0 = performance.now();
    server = await startDevServer({
      port: 0,
      headless: true,
      dbFilename,
      searchAttributes: { FillflowTestStatus: 'Keyword' },
    });
    const startupMs = Math.round(performance.now() - t0);
    console.info(`dev server ready in ${startupMs} ms at ${server.address}`);

    expect(server.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(server.address).not.toBe('127.0.0.1:7233');
    expect(server.uiUrl).toBeUndefined();
    expect((await stat(dbFilename)).isFile()).toBe(true);

    const connection = await Connection.connect({ address: server.address });
    try {
      const client = new Client({ connection, namespace: server.namespace });
      const described = await client.workflowService.describeNamespace({ namespace: server.namespace });
      expect(described.namespaceInfo?.name).toBe('default');

      const attributes = await connection.operatorService.listSearchAttributes({ namespace: server.namespace });
      expect(attributes.customAttributes?.FillflowTestStatus).toBe(
        temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      );

      // DEV_SERVER_DYNAMIC_CONFIG reached the server: a queue has one partition, not the default 4.
      const partitions = await client.workflowService.listTaskQueuePartitions({
        namespace: server.namespace,
        taskQueue: { name: 'fillflow-gemini' },
      });
      expect(partitions.activityTaskQueuePartitions).toHaveLength(1);
      expect(partitions.workflowTaskQueuePartitions).toHaveLength(1);
    } finally {
      await connection.close();
    }

    const { pid } = server;
    await server.stop();
    expect(isAlive(pid)).toBe(false);
    expect(await server.exited).toMatchObject({ code: expect.any(Number) as number });
    await server.stop(); // idempotent
  });

  it('serves the UI on the requested port', async () => {
    const ui = await startDevServer({ port: 0, uiPort: 0 });
    try {
      expect(ui.uiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(ui.uiUrl!);
      expect(response.ok).toBe(true);
    } finally {
      await ui.stop();
    }
  });

  it('refuses a port that is already taken, instead of talking to whoever holds it', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startDevServer({ port, headless: true })).rejects.toThrow(
        new RegExp(`Temporal gRPC port ${port} on 127.0.0.1 is already in use`),
      );
    } finally {
      blocker.close();
    }
  });

  it('reports the exit code and the last stderr lines of a server that dies at start', async () => {
    const broken = join(dir, 'broken-temporal');
    await writeFile(broken, '#!/bin/sh\necho "line one" >&2\necho "fatal: no luck" >&2\nexit 3\n');
    await chmod(broken, 0o755);
    const error = await startDevServer({ executable: broken, port: 0, headless: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/exited with code 3 before serving/);
    expect((error as Error).message).toMatch(/line one\nfatal: no luck/);
  });

  it('names the executable when it cannot be spawned', async () => {
    await expect(startDevServer({ executable: join(dir, 'missing'), port: 0, headless: true })).rejects.toThrow(
      /Could not start the Temporal dev server .*missing.*ENOENT/,
    );
  });

  it('stops the server when the owning process exits without calling stop()', async () => {
    const script = [
      `import { startDevServer } from ${JSON.stringify(new URL('../../src/temporal/dev-server.ts', import.meta.url).href)};`,
      `const server = await startDevServer({ port: 0, headless: true });`,
      `console.log(server.pid);`,
      `process.exit(0);`,
    ].join('\n');
    const file = join(dir, 'owner.mts');
    await writeFile(file, script);
    const child = spawn(process.execPath, ['--import', 'tsx', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    const pid = Number(out.trim());
    expect(pid).toBeGreaterThan(0);
    expect(await waitUntilGone(pid, 20_000)).toBe(true);
  });
});

describe('test environments from the helper', () => {
  it('createLocalTestEnv runs the local CLI with search attributes and the partition config', async () => {
    const env = await createLocalTestEnv({
      searchAttributes: [defineSearchAttributeKey('FillflowHelperKey', 'KEYWORD')],
      dynamicConfig: { 'matching.enableFairness': true },
    });
    try {
      const attributes = await env.connection.operatorService.listSearchAttributes({ namespace: env.namespace ?? 'default' });
      expect(attributes.customAttributes?.FillflowHelperKey).toBe(
        temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      );
      const partitions = await env.client.workflowService.listTaskQueuePartitions({
        namespace: env.namespace ?? 'default',
        taskQueue: { name: 'fillflow' },
      });
      expect(partitions.activityTaskQueuePartitions).toHaveLength(1);
    } finally {
      await env.teardown();
    }
  });

  it('createTimeSkippingTestEnv runs the local test server', async () => {
    const env = await createTimeSkippingTestEnv();
    try {
      expect(env.supportsTimeSkipping).toBe(true);
      const before = await env.currentTimeMs();
      await env.sleep('1 day');
      expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(86_400_000);
    } finally {
      await env.teardown();
    }
  });
});
