/** @module A real fill rig for integration tests: a temp SQLite store, the Gemini emulator over HTTP,
 * the real workers on a real Temporal server. Nothing is mocked. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { FillflowClient } from '../../src/client.js';
import { dataConverterWith, payloadCodecFromConfig } from '../../src/codec/data-converter.js';
import { loadConfig, type FillflowConfig } from '../../src/config.js';
import type { FillOptions } from '../../src/core/fill-records.js';
import type { FillResult, TemplateSpec } from '../../src/core/types.js';
import { validateTemplate } from '../../src/core/validate-template.js';
import { resolveFillOptions } from '../../src/fill-start.js';
import { goldAnswers, loadGoldTable, startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { ingestPaths } from '../../src/retrieval/ingest.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { installRuntime } from '../../src/runtime/runtime.js';
import { createWorkers, workflowsPath } from '../../src/worker.js';

export const EXAMPLE_DIR = resolve(import.meta.dirname, '../../examples/supplier-onboarding');
export const exampleTemplate = (): TemplateSpec => validateTemplate(JSON.parse(readFileSync(join(EXAMPLE_DIR, 'template.json'), 'utf8')));
export const exampleExpected = (): Record<string, unknown> => JSON.parse(readFileSync(join(EXAMPLE_DIR, 'expected.json'), 'utf8'));
export const exampleGold = () => loadGoldTable(join(EXAMPLE_DIR, 'gold.json'));

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The workflow bundle, built once per test file (webpack takes seconds). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath, logger: quietLogger });
  return bundle;
}

export interface RigOptions {
  /** Environment for loadConfig; GEMINI_BASE_URL is pointed at the emulator unless set. */
  env?: Record<string, string | undefined>;
  emulator?: EmulatorOptions;
  maxCachedWorkflows?: number;
  /** Run the workers; a test that runs them in another process says false. @default true */
  workers?: boolean;
}

export interface Rig {
  config: Readonly<FillflowConfig>;
  store: Store;
  emulator: Emulator;
  client: FillflowClient;
  /** Set when the rig's env holds FILLFLOW_ENCRYPTION_KEY: its client and workers encrypt payloads with it. */
  codec?: PayloadCodec;
  dir: string;
  /** Stores the example template and documents; returns their IDs. */
  loadExample(template?: TemplateSpec): Promise<{ templateId: string; documentIds: string[] }>;
  /** Starts a fill and waits for it with the workers running. */
  fill(req: { templateId: string; documentIds: string[]; options?: Partial<FillOptions>; fillId?: string }): Promise<FillResult>;
  options(overrides?: Partial<FillOptions>): FillOptions;
  close(): Promise<void>;
}

export const TEST_API_KEY = 'AIzaTest-secret-key-0123456789';

export async function createRig(env: TestWorkflowEnvironment, opts: RigOptions = {}): Promise<Rig> {
  installRuntime();
  const dir = mkdtempSync(join(tmpdir(), 'fillflow-it-'));
  const emulator = await startEmulator({ answer: goldAnswers(exampleGold()), ...opts.emulator });
  const config = loadConfig(
    { GEMINI_API_KEY: TEST_API_KEY, GEMINI_BASE_URL: emulator.url, GEMINI_MODEL: 'gemini-3.5-flash', FILLFLOW_DB: join(dir, 'fillflow.db'), ...opts.env },
    {},
    dir,
  );
  const store = openStore({ dbPath: config.dbPath });
  // With a key in the rig's env, its client encrypts as its workers do (one codec for both); without one, the
  // environment's own client, as before.
  const codec = config.encryption ? payloadCodecFromConfig(config) : undefined;
  const temporal = codec ? new Client({ connection: env.connection, namespace: env.namespace ?? 'default', dataConverter: dataConverterWith(codec) }) : env.client;
  // Fills start as every edge starts them: options resolved from this configuration, the fill recorded in the store.
  const client = new FillflowClient(temporal, { config, store });
  const options = (o: Partial<FillOptions> = {}): FillOptions => resolveFillOptions(config, o);
  return {
    config,
    store,
    emulator,
    client,
    ...(codec ? { codec } : {}),
    dir,
    options,
    async loadExample(template = exampleTemplate()) {
      const docs = await ingestPaths(store, [join(EXAMPLE_DIR, 'docs')]);
      await store.putTemplate(template);
      return { templateId: template.id, documentIds: docs.map((d) => d.id) };
    },
    async fill(req) {
      const fillId = req.fillId ?? `fill-${Math.random().toString(36).slice(2)}`;
      const run = async () => {
        await client.startFill({ fillId, templateId: req.templateId, documentIds: req.documentIds, options: options(req.options) });
        return client.waitForFill(fillId);
      };
      if (opts.workers === false) return run();
      const workers = await createWorkers({
        config,
        connection: env.nativeConnection,
        store,
        workflowBundle: await workflowBundle(),
        ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
        ...(codec ? { codec } : {}),
      });
      const running = workers.run();
      try {
        return await run();
      } finally {
        workers.shutdown();
        await running;
      }
    },
    async close() {
      await emulator.close();
      await store.close();
    },
  };
}

const quietLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error(message: string) {
    console.error(message);
  },
};
