/** The operator's view of a fill in the Temporal UI, in a real browser (Debian's headless Chromium, driven by
 * playwright-core): on the local stack as `fillflow dev` starts it (a dev server with its UI, the workers in
 * process, the store), a fill parked on Gemini's daily quota shows its static summary and its current details
 * ("parked until …") on its page, and its Gemini calls show which batch and which fields. The same is read through
 * the client API first, so a failure says which part broke: the start path, the workflow, or the UI. Screenshots
 * land in .test-artefacts/ for a person to look at. */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { persistentServerOptions } from '../../src/cli/service-commands.js';
import { loadConfig } from '../../src/config.js';
import type { FillProgress } from '../../src/core/fill-records.js';
import { goldAnswers, startEmulator, type Emulator } from '../../src/emulator/index.js';
import { ingestPaths } from '../../src/retrieval/ingest.js';
import { startLocalStack, type LocalStack } from '../../src/runtime/local-stack.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { EXAMPLE_DIR, exampleGold, exampleTemplate, TEST_API_KEY } from '../helpers/fill-harness.js';

/** Debian's package (scripts/install-chromium.sh installs it; .ci/run runs that), or the browser this names. */
const CHROMIUM = process.env.FILLFLOW_CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTEFACTS = resolve(import.meta.dirname, '../../.test-artefacts');
/** What the UI shows of the summary: the markdown rendered, so the template ID without its backticks. */
const SUMMARY_SHOWN = 'fill Supplier onboarding form (supplier-onboarding): 3 documents, 30 fields; standard route, interactive priority';

let dir: string;
let emulator: Emulator;
let store: Store;
let stack: LocalStack;
let browser: Browser | undefined;
let fillId: string;
let parked: FillProgress;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: run scripts/install-chromium.sh (Debian's chromium package), or set FILLFLOW_CHROMIUM_PATH`);
  }
  dir = mkdtempSync(join(tmpdir(), 'fillflow-operator-view-'));
  emulator = await startEmulator({ answer: goldAnswers(exampleGold()) });
  const config = loadConfig({ GEMINI_API_KEY: TEST_API_KEY, GEMINI_BASE_URL: emulator.url, GEMINI_MODEL: 'gemini-3.5-flash', FILLFLOW_DB: join(dir, 'fillflow.db') }, {}, dir);
  store = openStore({ dbPath: config.dbPath });
  const template = exampleTemplate();
  await store.putTemplate(template);
  const documentIds = (await ingestPaths(store, [join(EXAMPLE_DIR, 'docs')])).map((d) => d.id);
  // `fillflow dev`'s server (its UI on, its search attributes, a database file), on free ports beside other tests.
  stack = await startLocalStack({ config, store, workers: true, server: { ...persistentServerOptions(dir), port: 0, uiPort: 0 } });
  // Gemini's daily quota is spent at the first call: the fill parks until the reset, hours away in real time.
  emulator.inject({ kind: 'rate-limit', quota: 'per-day' });
  ({ fillId } = await stack.client.startFill({ templateId: template.id, documentIds, options: { maxBatchSize: 15 } }));
  parked = await untilParked(fillId);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await emulator?.close();
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function untilParked(id: string): Promise<FillProgress> {
  let last: unknown;
  for (let i = 0; i < 600; i++) {
    last = await stack.client.getProgress(id).catch((err: Error) => err.message);
    if ((last as FillProgress).phase === 'paused-quota') return last as FillProgress;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`fill ${id} never parked: ${JSON.stringify(last)}`);
}

const decoded = (payload: Payload | null | undefined) => (payload ? defaultPayloadConverter.fromPayload<string>(payload) : undefined);

describe("a parked fill, as the operator's tools read it", () => {
  it('carries its static summary and details, and current details that say until when it is parked', async () => {
    const handle = stack.client.temporal.workflow.getHandle(fillId);
    const description = await handle.describe();
    expect(await description.staticSummary()).toBe(
      'fill Supplier onboarding form (`supplier-onboarding`): 3 documents, 30 fields; standard route, interactive priority',
    );
    expect(await description.staticDetails()).toContain('batches of up to 15 fields and 32,000 input tokens\nwhen the daily quota runs out: wait for the reset');

    // What the UI asks the workflow for its current details.
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    const until = parked.resumeAt!.replace(/\.\d+Z$/, 'Z');
    expect(metadata.currentDetails).toMatch(new RegExp(`^parked until ${until}, daily quota; ${parked.batchesDone} of 2 batches done, ${parked.fieldsDone} of 30 fields\n`));
    expect(metadata.currentDetails).toContain(`\`fillflow resume ${fillId}\` resumes it now`);
  });

  it("gives each Gemini call its batch and fields, and the park's timer its end, as summaries in the history", async () => {
    const events = (await stack.client.temporal.workflow.getHandle(fillId).fetchHistory()).events ?? [];
    const batches = events
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'extractBatch')
      .map((e) => decoded(e.userMetadata?.summary));
    expect(batches.sort()).toEqual([
      'batch b0: 15 fields (legal_name, trading_name, company_number +12 more)',
      'batch b1: 15 fields (primary_contact_phone, accounts_email, accounts_phone +12 more)',
    ]);
    const timers = events.filter((e) => e.timerStartedEventAttributes).map((e) => decoded(e.userMetadata?.summary));
    expect(timers).toEqual([`parked until ${parked.resumeAt!.replace(/\.\d+Z$/, 'Z')}, daily quota`]);
  });
});

describe("the fill's page in the Temporal UI, in headless Chromium", () => {
  let page: Page;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    mkdirSync(ARTEFACTS, { recursive: true });
  });

  it('shows the Gemini calls with their batch summaries on the timeline', async () => {
    await page.goto(`${stack.server!.uiUrl}/namespaces/default/workflows/${fillId}`);
    await page.getByText('extractBatch • batch b0: 15 fields').first().waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(ARTEFACTS, 'operator-view-timeline.png'), fullPage: true });
    const text = await page.locator('body').innerText();
    expect(text).toContain('extractBatch • batch b0: 15 fields (legal_name, trading_name, company_number +12 more)');
    expect(text).toContain('extractBatch • batch b1: 15 fields');
  });

  it('shows the summary and "parked until …" under User Metadata', async () => {
    await page.getByText('User Metadata', { exact: true }).click();
    // The UI renders each text (markdown) in a frame of its own.
    const summary = page.frameLocator('#user-metadata-summary').locator('body');
    const current = page.frameLocator('#user-metadata-current-details').locator('body');
    await summary.getByText('standard route, interactive priority').waitFor({ timeout: 60_000 });
    await current.getByText('parked until').waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(ARTEFACTS, 'operator-view.png'), fullPage: true });

    expect((await summary.innerText()).trim()).toBe(SUMMARY_SHOWN);
    const until = parked.resumeAt!.replace(/\.\d+Z$/, 'Z');
    expect(await current.innerText()).toContain(`parked until ${until}, daily quota; ${parked.batchesDone} of 2 batches done, ${parked.fieldsDone} of 30 fields`);
    expect(await current.innerText()).toContain(`fillflow resume ${fillId} resumes it now`);
    expect(await page.frameLocator('#user-metadata-details').locator('body').innerText()).toContain('when the daily quota runs out: wait for the reset');
  });
});
