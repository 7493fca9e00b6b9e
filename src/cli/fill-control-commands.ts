/** @module `fillflow resume ID` and `fillflow cancel ID`: signal a running fill through the client. */
import { FillflowClient } from '../client.js';
import { loadConfig } from '../config.js';
import { CliError, ExitCode } from './cli-error.js';
import { LOCAL_ADDRESS } from './service-commands.js';

type Io = { stderr: (line: string) => void; stdout: (line: string) => void };

async function withRunningFill(fillId: string, action: 'resume' | 'cancel', run: (c: FillflowClient) => Promise<void>, opts: { json?: boolean }, io: Io): Promise<number> {
  const config = loadConfig();
  const address = config.temporal.address ?? LOCAL_ADDRESS;
  const client = await FillflowClient.connect({ address, namespace: config.temporal.namespace }).catch((err: Error) => {
    // The client's message already names the address it tried.
    throw new CliError(err.message, ExitCode.unavailable);
  });
  try {
    const state = await client.getFill(fillId).catch((err: Error) => {
      throw new CliError(err.name === 'WorkflowNotFoundError' ? `no fill "${fillId}" on ${address}` : err.message);
    });
    if (state.status !== 'running' && state.status !== 'paused-quota') {
      throw new CliError(`cannot ${action} fill "${fillId}": it is ${state.status}`, ExitCode.failed);
    }
    await run(client);
    if (opts.json) io.stdout(JSON.stringify({ fillId, action, ok: true }));
    else io.stdout(`${fillId}: ${action === 'resume' ? 'resume signalled' : 'cancellation requested'}`);
    return ExitCode.ok;
  } finally {
    await client.close();
  }
}

export function resumeCommand(fillId: string, opts: { json?: boolean }, io: Io): Promise<number> {
  return withRunningFill(fillId, 'resume', (c) => c.resume(fillId), opts, io);
}

export function cancelCommand(fillId: string, opts: { json?: boolean }, io: Io): Promise<number> {
  return withRunningFill(fillId, 'cancel', (c) => c.cancel(fillId), opts, io);
}
