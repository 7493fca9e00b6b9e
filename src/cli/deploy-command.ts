/** @module `fillflow deploy status|promote|ramp`: the worker deployment's versions and which one new fills go to
 * (docs/deploying.md). The same calls as `temporal worker deployment …`, with Fillflow's configuration: the deployment
 * name, this checkout's build ID and the environment's Temporal credentials. */
import type { Command } from 'commander';
import type { WorkflowService } from '@temporalio/client';
import { ConfigError, loadConfig, type FillflowConfig } from '../config.js';
import { describeDeployment, setCurrentVersion, setRampingVersion, versionName } from '../temporal/worker-deployment.js';
import { CliError, ExitCode } from './cli-error.js';
import { connectForCommand } from './service-commands.js';

type Io = { stderr: (line: string) => void; stdout: (line: string) => void };

interface DeployOptions {
  json?: boolean;
  /** @default this checkout's build ID (FILLFLOW_BUILD_ID, else package.json's version) */
  buildId?: string;
}

export function registerDeployCommand(program: Command, run: (task: Promise<number>) => void, io: Io): void {
  const deploy = program
    .command('deploy')
    .description("the worker deployment's versions: `status`, `promote` a build (new fills go to it), `ramp` a share of new fills to it");
  deploy
    .command('status')
    .description('the current and ramping versions, and every version with its status and running workflows')
    .option('--json', 'print JSON')
    .action((opts: DeployOptions) => run(deployCommand('status', undefined, opts, io)));
  deploy
    .command('promote')
    .description('make a build the current version: new fills start on it, pinned ones finish where they started')
    .option('--build-id <id>', "the build to promote (default this checkout's: FILLFLOW_BUILD_ID, else package.json's version)")
    .option('--json', 'print JSON')
    .action((opts: DeployOptions) => run(deployCommand('promote', undefined, opts, io)));
  deploy
    .command('ramp')
    .description('send a percentage of new fills to a build and the rest to the current version; 0 ends the ramp')
    .argument('<percent>', '0 to 100')
    .option('--build-id <id>', "the build to ramp to (default this checkout's)")
    .option('--json', 'print JSON')
    .action((percent: string, opts: DeployOptions) => run(deployCommand('ramp', percent, opts, io)));
}

export async function deployCommand(action: 'status' | 'promote' | 'ramp', percent: string | undefined, opts: DeployOptions, io: Io): Promise<number> {
  const config = configOrUsageError();
  const { deploymentName } = config.versioning;
  const buildId = opts.buildId ?? config.versioning.buildId;
  const percentage = percent === undefined ? undefined : Number(percent);
  if (percentage !== undefined && !(Number.isFinite(percentage) && percentage >= 0 && percentage <= 100)) {
    throw new CliError(`deploy ramp: the percentage must be a number from 0 to 100, got "${percent}"`);
  }
  const connection = await connectForCommand(config);
  try {
    const service = connection.workflowService;
    const namespace = config.temporal.namespace;
    const identity = `fillflow deploy ${action}`;
    if (action === 'promote') {
      await refusedAsUsage(setCurrentVersion(service, namespace, deploymentName, buildId, identity));
      io.stderr(`deploy: ${versionName({ deploymentName, buildId })} is current; fills started before stay on their version until they close`);
    } else if (action === 'ramp') {
      // An empty build ID is the server's "no ramping version".
      await refusedAsUsage(setRampingVersion(service, namespace, deploymentName, percentage === 0 ? '' : buildId, percentage!, identity));
      io.stderr(percentage === 0 ? 'deploy: ramp ended' : `deploy: ${percentage}% of new fills go to ${versionName({ deploymentName, buildId })}`);
    }
    return await printStatus(service, config, io, opts.json === true);
  } finally {
    await connection.close();
  }
}

async function printStatus(service: WorkflowService, config: Readonly<FillflowConfig>, io: Io, json: boolean): Promise<number> {
  const { deploymentName, buildId } = config.versioning;
  const summary = await describeDeployment(service, config.temporal.namespace, deploymentName);
  if (json) {
    io.stdout(JSON.stringify({ thisBuildId: buildId, ...(summary ?? { deploymentName, versions: [] }) }));
    return ExitCode.ok;
  }
  if (!summary) {
    io.stdout(`deployment ${deploymentName}: no worker has polled yet (this checkout's build: ${buildId})`);
    return ExitCode.ok;
  }
  const ramp = summary.ramping ? `, ramping ${summary.ramping.buildId} at ${summary.ramping.percentage}%` : '';
  io.stdout(`deployment ${deploymentName}: current ${summary.current ?? '(none: unversioned workers)'}${ramp}; this checkout's build: ${buildId}`);
  for (const v of summary.versions) {
    io.stdout(`  ${v.buildId.padEnd(24)} ${v.status.padEnd(9)} ${v.running} running${v.createdAt ? `  first polled ${v.createdAt.toISOString()}` : ''}`);
  }
  return ExitCode.ok;
}

function configOrUsageError(): Readonly<FillflowConfig> {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
}

/** The server's refusals (no such build, no pollers yet, a task queue the current version polls missing) are the
 * operator's to fix, with its message; anything else stays an unexpected failure. */
async function refusedAsUsage(call: Promise<void>): Promise<void> {
  await call.catch((err: Error & { code?: number; details?: string }) => {
    // gRPC NOT_FOUND, INVALID_ARGUMENT, FAILED_PRECONDITION
    if (err.code === 5 || err.code === 3 || err.code === 9) throw new CliError(`deploy: ${err.details ?? err.message}`, ExitCode.failed);
    throw err;
  });
}
