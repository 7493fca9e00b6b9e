/** @module `fillflow resume ID` and `fillflow cancel ID`: signal a running fill through the client. */
import type { FillflowClient } from '../client.js';
import { CliError, ExitCode } from './cli-error.js';
import { withFill } from './with-fill.js';

type Io = { stderr: (line: string) => void; stdout: (line: string) => void };

async function withRunningFill(fillId: string, action: 'resume' | 'cancel', run: (c: FillflowClient) => Promise<void>, opts: { json?: boolean }, io: Io): Promise<number> {
  return withFill(fillId, async (client, state) => {
    if (state.status !== 'running' && state.status !== 'paused-quota') {
      throw new CliError(`cannot ${action} fill "${fillId}": it is ${state.status}`, ExitCode.failed);
    }
    await run(client);
    if (opts.json) io.stdout(JSON.stringify({ fillId, action, ok: true }));
    else io.stdout(`${fillId}: ${action === 'resume' ? 'resume signalled' : 'cancellation requested'}`);
    return ExitCode.ok;
  });
}

export function resumeCommand(fillId: string, opts: { json?: boolean }, io: Io): Promise<number> {
  return withRunningFill(fillId, 'resume', (c) => c.resume(fillId), opts, io);
}

export function cancelCommand(fillId: string, opts: { json?: boolean }, io: Io): Promise<number> {
  return withRunningFill(fillId, 'cancel', (c) => c.cancel(fillId), opts, io);
}
