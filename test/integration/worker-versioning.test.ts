/** Worker versioning on a real dev server with the emulator: two builds (A and B) of the same workers. A fill parked
 * while A is current stays pinned to A after `fillflow deploy promote` makes B current, while a new fill runs on B; with
 * A's workers gone the parked fill is not picked up by B, and it finishes when A's workers return. */
import proto from '@temporalio/proto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deployCommand } from '../../src/cli/deploy-command.js';
import type { FillflowConfig } from '../../src/config.js';
import { apiKeyIdentity } from '../../src/gemini/key-identity.js';
import type { DeploymentSummary } from '../../src/temporal/worker-deployment.js';
import { createWorkers, type WorkerSet } from '../../src/worker.js';
import { useDevServerRigs } from '../helpers/dev-server-rigs.js';
import { TEST_API_KEY, workflowBundle, type Rig } from '../helpers/fill-harness.js';
import { until } from '../helpers/worker-process.js';

const { env, rig: newRig } = useDevServerRigs();
let rig: Rig;
let example: { templateId: string; documentIds: string[] };

beforeAll(async () => {
  rig = await newRig();
  example = await rig.loadExample();
});

/** The rig's configuration as build `buildId` of the default deployment. */
function build(buildId: string): Readonly<FillflowConfig> {
  return { ...rig.config, versioning: { ...rig.config.versioning, buildId } };
}

type Build = { set: WorkerSet; running: Promise<void> };
const started: Build[] = [];

async function startBuild(buildId: string): Promise<Build> {
  const set = await createWorkers({ config: build(buildId), connection: env().nativeConnection, store: rig.store, workflowBundle: await workflowBundle() });
  const b = { set, running: set.run() };
  started.push(b);
  return b;
}

async function stopBuild(b: Build): Promise<void> {
  started.splice(started.indexOf(b) >>> 0, 1);
  b.set.shutdown();
  await b.running;
}

afterEach(async () => {
  while (started.length > 0) await stopBuild(started[0]!);
});

/** The build a workflow is pinned to, and how, as the server describes it. */
async function pinnedTo(workflowId: string): Promise<{ buildId?: string | null; behavior?: unknown }> {
  const info = (await env().client.workflow.getHandle(workflowId).describe()).raw.workflowExecutionInfo?.versioningInfo;
  return { buildId: info?.deploymentVersion?.buildId, behavior: info?.behavior };
}

async function history(workflowId: string): Promise<proto.temporal.api.history.v1.IHistoryEvent[]> {
  return (await env().client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
}

/** `fillflow deploy ACTION` in this process, against this dev server. */
async function deploy(action: 'status' | 'promote', buildId?: string): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const environment = { TEMPORAL_ADDRESS: env().address, FILLFLOW_DB: rig.config.dbPath, GEMINI_API_KEY: TEST_API_KEY };
  const saved = { ...process.env };
  Object.assign(process.env, environment);
  const stdout: string[] = [];
  const stderr: string[] = [];
  try {
    const code = await deployCommand(action, undefined, { json: true, ...(buildId ? { buildId } : {}) }, { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) });
    return { code, stdout, stderr };
  } finally {
    for (const key of Object.keys(environment)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

const PINNED = proto.temporal.api.enums.v1.VersioningBehavior.VERSIONING_BEHAVIOR_PINNED;

describe('worker versioning', () => {
  it('keeps a parked fill on the build it started on, sends new fills to the promoted build, and waits for the old workers', async () => {
    const a = await startBuild('A');
    // The first build of a deployment nobody promoted makes itself current.
    expect(await a.set.promotion).toEqual({ outcome: 'current', version: 'fillflow:A' });

    const parked = `fill-pinned-${Date.now()}`;
    rig.emulator.inject({ kind: 'rate-limit', quota: 'per-day' });
    await rig.client.startFill({ fillId: parked, ...example, options: rig.options({ maxBatchSize: 15 }) });
    await until('the fill to park on the daily quota', async () => (await rig.client.getFill(parked)).status === 'paused-quota');
    expect(await pinnedTo(parked)).toEqual({ buildId: 'A', behavior: PINNED });
    // The key's day opens again for new fills (as when its quota is raised); the parked fill waits for its resume signal.
    await rig.store.quotaReopen({ keyId: apiKeyIdentity(TEST_API_KEY), model: rig.config.gemini.model });

    // A second build polls but does not take over by itself: an operator promotes it.
    const b = await startBuild('B');
    expect(await b.set.promotion).toEqual({ outcome: 'not-promoted', version: 'fillflow:B', current: 'fillflow:A' });
    const promoted = await deploy('promote', 'B');
    expect(promoted.code).toBe(0);
    const status = JSON.parse(promoted.stdout[0]!) as DeploymentSummary;
    expect(status.current).toBe('B');
    expect(status.versions.map((v) => [v.buildId, v.status])).toEqual(expect.arrayContaining([['A', 'draining'], ['B', 'current']]));

    const fresh = await rig.client.startFill({ fillId: `fill-new-${Date.now()}`, ...example, options: rig.options() });
    expect((await rig.client.waitForFill(fresh.fillId)).status).toBe('completed');
    expect(await pinnedTo(fresh.fillId)).toEqual({ buildId: 'B', behavior: PINNED });
    expect(await pinnedTo(parked)).toEqual({ buildId: 'A', behavior: PINNED });

    // A's workers gone: the resumed fill waits for them. B keeps serving (a later fill completes on it), and still no
    // workflow task of the parked fill was started after the signal.
    await stopBuild(a);
    await rig.client.resume(parked);
    const signalled = (await history(parked)).findIndex((e) => e.workflowExecutionSignaledEventAttributes);
    expect(signalled).toBeGreaterThan(0);
    const later = await rig.client.startFill({ fillId: `fill-later-${Date.now()}`, ...example, options: rig.options() });
    expect((await rig.client.waitForFill(later.fillId)).status).toBe('completed');
    expect((await history(parked)).slice(signalled).some((e) => e.workflowTaskStartedEventAttributes)).toBe(false);
    expect((await rig.client.getFill(parked)).status).not.toBe('completed');

    // A returns and finishes it; every workflow task of the fill was completed by A.
    await startBuild('A');
    const result = await rig.client.waitForFill(parked);
    expect(result.status).toBe('completed');
    expect(result.fields.every((f) => f.method === 'gemini')).toBe(true);
    const completedBy = (await history(parked)).flatMap((e) => (e.workflowTaskCompletedEventAttributes ? [e.workflowTaskCompletedEventAttributes.deploymentVersion?.buildId] : []));
    expect(completedBy.length).toBeGreaterThan(2);
    expect(new Set(completedBy)).toEqual(new Set(['A']));
  });
});
