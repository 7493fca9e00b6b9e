/** @module The short commands: `ingest`, `status` (`stats` is in stats-command.ts). */
import { loadConfig } from '../config.js';
import { ingestPaths } from '../retrieval/ingest.js';
import { openStore } from '../store/open-store.js';
import { CliError, ExitCode } from './cli-error.js';
import { formatProgress } from './format-progress.js';
import { withFill } from './with-fill.js';

type Io = { stderr: (line: string) => void; stdout: (line: string) => void };

export async function ingestCommand(files: string[], opts: { json?: boolean }, io: Io): Promise<number> {
  const config = loadConfig();
  const store = openStore(config);
  try {
    const docs = await ingestPaths(store, files).catch((err: Error) => {
      throw new CliError(err.message);
    });
    if (opts.json) io.stdout(JSON.stringify(docs));
    else for (const d of docs) io.stdout(`${d.id}  ${d.name}  (${d.length} characters)`);
    return ExitCode.ok;
  } finally {
    await store.close();
  }
}

export function statusCommand(fillId: string, opts: { json?: boolean }, io: Io): Promise<number> {
  return withFill(fillId, async (_client, state) => {
    if (opts.json) io.stdout(JSON.stringify({ fillId, ...state }));
    else if (state.status === 'running') io.stdout(`${fillId}: running; ${formatProgress(state.progress)}`);
    else if (state.status === 'paused-quota') io.stdout(`${fillId}: paused-quota until ${state.resumeAt}; ${formatProgress(state.progress)}`);
    else if (state.status === 'completed') io.stdout(`${fillId}: completed; ${state.result.fields.length} fields`);
    else io.stdout(`${fillId}: ${state.status}; ${state.error}`);
    return ExitCode.ok;
  });
}
