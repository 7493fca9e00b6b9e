/** @module Worker versioning through the server's Worker Deployment API (tested on server 1.32.0, which needs no dynamic
 * config for it): the options every Fillflow worker polls with, making a version current or ramping, and what a
 * deployment's versions are doing. One deployment holds both task queues, so a version is one build of both workers. */
import { hostname } from 'node:os';
import type { WorkflowService } from '@temporalio/client';
import type { WorkerDeploymentOptions } from '@temporalio/worker';
// A CommonJS package: Node's ESM loader sees only its default export (named imports work under vitest, not tsx).
import proto from '@temporalio/proto';
import type { VersioningSettings } from '../config.js';

const { temporal } = proto;
const Status = temporal.api.enums.v1.WorkerDeploymentVersionStatus;

/** gRPC status codes: not polled yet (no such deployment or build; a task queue the current version has, missing), and a
 * conflict token gone stale. */
const NOT_FOUND = 5;
const FAILED_PRECONDITION = 9;
const ABORTED = 10;

/** How long a worker set waits for the server to see its pollers: they reach it within a second on a dev server. */
const POLLERS_DEADLINE_MS = 60_000;

/** The options both workers (`fillflow` and `fillflow-gemini`) are created with: same deployment, same build ID. */
export function workerDeploymentOptions(versioning: Readonly<VersioningSettings>): WorkerDeploymentOptions {
  return {
    version: { deploymentName: versioning.deploymentName, buildId: versioning.buildId },
    useWorkerVersioning: true,
    defaultVersioningBehavior: versioning.behavior,
  };
}

/** `deployment:buildId`, as the TemporalWorkerDeploymentVersion search attribute and the `temporal` CLI spell a version. */
export function versionName(v: { deploymentName: string; buildId: string }): string {
  return `${v.deploymentName}:${v.buildId}`;
}

/**
 * When a worker set makes its own version current. `always`: the embedded stack on a server it started, whose only
 * workers it runs. `if-none`: a deployment nobody has promoted yet (its first deploy, or a fresh dev server); any later
 * version waits for an operator (`fillflow deploy promote`), so starting new workers never moves traffic by itself.
 */
export type PromotePolicy = 'always' | 'if-none';

export type Promotion =
  /** This version takes new workflows (it was made current now, or already was). */
  | { outcome: 'current'; version: string }
  /** Another version is current and was left so (`if-none`). */
  | { outcome: 'not-promoted'; version: string; current: string }
  /** The server refused or never saw the pollers before the deadline; the message says why. */
  | { outcome: 'failed'; version: string; message: string }
  /** Stopped (the workers shut down) before it settled. */
  | { outcome: 'stopped'; version: string };

/** One line for an operator: which version takes new fills, and what to run when it is not this one. */
export function describePromotion(p: Promotion): string {
  switch (p.outcome) {
    case 'current':
      return `version ${p.version} is current: new fills start on it`;
    case 'not-promoted':
      return `version ${p.version} is polling; ${p.current} stays current until \`fillflow deploy promote\` (docs/deploying.md)`;
    case 'failed':
      return `version ${p.version} could not be made current: ${p.message}`;
    case 'stopped':
      return `version ${p.version}: workers stopped before it was made current`;
  }
}

export interface PromoteOptions {
  service: WorkflowService;
  namespace: string;
  versioning: Readonly<Pick<VersioningSettings, 'deploymentName' | 'buildId'>>;
  /** The task queues this version's workers poll: it settles only once the server has seen every one polled. */
  taskQueues: readonly string[];
  policy: PromotePolicy;
  /** Aborted when the workers stop. */
  signal?: AbortSignal;
}

/**
 * Makes this version current once the server has seen it poll every one of its task queues (a version exists only from
 * its first poll, and the server refuses a current version that misses a task queue the old one had), per `policy`; so
 * when it settles, an operator's `fillflow deploy promote` of this build is accepted too. Never rejects.
 * With no current version the server sends new workflows to unversioned pollers only, so versioned workers get nothing
 * until some version is current: the tasks wait and are handed over as soon as it is (measured on server 1.32.0).
 */
export async function promoteWhenPolling(opts: PromoteOptions): Promise<Promotion> {
  const version = versionName(opts.versioning);
  const deadline = Date.now() + POLLERS_DEADLINE_MS;
  let last = 'no answer yet';
  while (!opts.signal?.aborted) {
    try {
      const settled = await promotionStep(opts, version);
      if (typeof settled !== 'string') return settled;
      last = settled;
    } catch (err) {
      // Workers stopping close the connection under a call in flight: that is a stop, not a refusal.
      if (opts.signal?.aborted) return { outcome: 'stopped', version };
      const code = (err as { code?: number }).code;
      last = (err as Error).message;
      // Anything but "not polled yet" or a lost race is final.
      if (code !== NOT_FOUND && code !== FAILED_PRECONDITION && code !== ABORTED) return { outcome: 'failed', version, message: last };
    }
    if (Date.now() > deadline) return { outcome: 'failed', version, message: `${version} was not seen polling within the deadline: ${last}` };
    await pause(250, opts.signal);
  }
  return { outcome: 'stopped', version };
}

/** One round: the outcome once there is one, else why not yet. */
async function promotionStep(opts: PromoteOptions, version: string): Promise<Promotion | string> {
  const { service, namespace, versioning: { deploymentName, buildId }, policy } = opts;
  const seen = await service.describeWorkerDeploymentVersion({ namespace, deploymentVersion: { deploymentName, buildId } });
  const polled = new Set(seen.versionTaskQueues?.map((q) => q.name));
  const missing = opts.taskQueues.filter((q) => !polled.has(q));
  if (missing.length > 0) return `${version} has not polled ${missing.join(', ')} yet`;
  const described = await service.describeWorkerDeployment({ namespace, deploymentName });
  const current = described.workerDeploymentInfo?.routingConfig?.currentDeploymentVersion?.buildId;
  if (current === buildId) return { outcome: 'current', version };
  if (policy === 'if-none' && current) return { outcome: 'not-promoted', version, current: versionName({ deploymentName, buildId: current }) };
  // The conflict token: of two first workers of different builds racing, one wins and the other sees it next round.
  await service.setWorkerDeploymentCurrentVersion({
    namespace,
    deploymentName,
    buildId,
    identity: `fillflow workers on ${hostname()} (pid ${process.pid})`,
    ...(policy === 'if-none' ? { conflictToken: described.conflictToken } : {}),
  });
  return `${version} was made current`;
}

/** Makes `buildId` the deployment's current version (new workflows go there; pinned ones stay where they are). */
export async function setCurrentVersion(service: WorkflowService, namespace: string, deploymentName: string, buildId: string, identity: string): Promise<void> {
  await service.setWorkerDeploymentCurrentVersion({ namespace, deploymentName, buildId, identity });
}

/** Sends `percentage` of new workflows to `buildId` and the rest to the current version; 0 with no build ID ends a ramp. */
export async function setRampingVersion(service: WorkflowService, namespace: string, deploymentName: string, buildId: string, percentage: number, identity: string): Promise<void> {
  await service.setWorkerDeploymentRampingVersion({ namespace, deploymentName, buildId, percentage, identity });
}

export interface VersionSummary {
  buildId: string;
  /** current | ramping | draining | drained | inactive (polled, never current) */
  status: string;
  /** Workflows of this version still running (pinned ones keep its workers needed). */
  running: number;
  createdAt?: Date;
}

export interface DeploymentSummary {
  deploymentName: string;
  current?: string;
  ramping?: { buildId: string; percentage: number };
  versions: VersionSummary[];
}

/**
 * A deployment's versions, newest first, each with its status and its running workflows (counted through visibility by
 * TemporalWorkerDeploymentVersion, which may lag a few seconds behind).
 * @returns undefined when no worker of the deployment has polled yet
 */
export async function describeDeployment(service: WorkflowService, namespace: string, deploymentName: string): Promise<DeploymentSummary | undefined> {
  let info;
  try {
    info = (await service.describeWorkerDeployment({ namespace, deploymentName })).workerDeploymentInfo;
  } catch (err) {
    if ((err as { code?: number }).code === NOT_FOUND) return undefined;
    throw err;
  }
  const routing = info?.routingConfig;
  const rampingBuild = routing?.rampingDeploymentVersion?.buildId;
  const versions: VersionSummary[] = [];
  for (const v of info?.versionSummaries ?? []) {
    const buildId = v.deploymentVersion?.buildId;
    if (!buildId) continue;
    const query = `TemporalWorkerDeploymentVersion = '${versionName({ deploymentName, buildId })}' AND ExecutionStatus = 'Running'`;
    const { count } = await service.countWorkflowExecutions({ namespace, query });
    const created = v.createTime?.seconds;
    versions.push({
      buildId,
      status: statusName(v.status),
      running: Number(count ?? 0),
      ...(created != null ? { createdAt: new Date(Number(created) * 1000) } : {}),
    });
  }
  versions.sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
  return {
    deploymentName,
    ...(routing?.currentDeploymentVersion?.buildId ? { current: routing.currentDeploymentVersion.buildId } : {}),
    ...(rampingBuild ? { ramping: { buildId: rampingBuild, percentage: routing?.rampingVersionPercentage ?? 0 } } : {}),
    versions,
  };
}

function statusName(status: number | null | undefined): string {
  const name = status == null ? undefined : Status[status];
  return name ? name.replace('WORKER_DEPLOYMENT_VERSION_STATUS_', '').toLowerCase() : 'unknown';
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      done();
    }, { once: true });
  });
}
