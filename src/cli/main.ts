/** @module The `fillflow` command line (DESIGN.md's contract). Each command lives in its own module. */
import { Command, CommanderError } from 'commander';
import { CliError, ExitCode } from './cli-error.js';
import { emulatorCommand } from './emulator-command.js';
import { fillCommand } from './fill-command.js';
import { ingestCommand, statsCommand, statusCommand } from './inspect-commands.js';
import { devCommand, serverCommand, workerCommand } from './service-commands.js';

const io = {
  stderr: (line: string) => process.stderr.write(`${line}\n`),
  stdout: (line: string) => process.stdout.write(`${line}\n`),
};

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function buildProgram(run: (task: Promise<number>) => void): Command {
  const program = new Command('fillflow')
    .description('Fill document templates from source documents with Gemini, on Temporal.')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('fill')
    .description('fill a template from documents and write the result')
    .requiredOption('--template <file>', 'template JSON file')
    .requiredOption('--docs <paths...>', 'documents or folders of documents')
    .requiredOption('--out <file>', 'where to write the result JSON')
    .option('--max-batch-size <n>', 'most fields per Gemini call')
    .option('--max-input-tokens <n>', 'most prompt tokens per Gemini call')
    .option('--profile <name>', 'conservative | balanced | aggressive')
    .option('--worker', 'with TEMPORAL_ADDRESS: also run a worker in this process')
    .option('--json', 'also print the result JSON on stdout')
    .action((opts) => run(fillCommand(opts, io)));

  program
    .command('dev')
    .description('local Temporal dev server (127.0.0.1:7233, UI 8233), workers, and the HTTP API')
    .action(() => run(devCommand(io)));
  program
    .command('server')
    .description('the local Temporal dev server alone')
    .action(() => run(serverCommand(io)));
  program
    .command('worker')
    .description('run workers against TEMPORAL_ADDRESS (default 127.0.0.1:7233)')
    .option('--role <role>', 'fill | gemini | all', 'all')
    .action((opts) => run(workerCommand(opts, io)));
  program
    .command('ingest')
    .description('store documents and print their IDs')
    .argument('<files...>')
    .option('--json', 'print JSON')
    .action((files: string[], opts) => run(ingestCommand(files, opts, io)));
  program
    .command('status')
    .description("a fill's state and progress")
    .argument('<fillId>')
    .option('--json', 'print JSON')
    .action((id: string, opts) => run(statusCommand(id, opts, io)));
  program
    .command('stats')
    .description('Gemini usage: calls, tokens, cache, 429s')
    .option('--json', 'print JSON')
    .action((opts) => run(statsCommand(opts, io)));
  program
    .command('emulator')
    .description('run the Gemini emulator (a test tool) on a port')
    .option('--port <n>', 'port', '8090')
    .option('--rpm <n>', 'requests per minute')
    .option('--tpm <n>', 'input tokens per minute')
    .option('--rpd <n>', 'requests per day')
    .option('--latency-ms <n>', 'added latency per request')
    .option('--gold <file>', 'gold table JSON: {"<field key>": {"value": ..., "quote": "..."}}')
    .option('--api-key <key>', 'accept only this key (repeatable)', collect)
    .action((opts) => run(emulatorCommand(opts, io)));
  return program;
}

async function main(argv: string[]): Promise<void> {
  let task: Promise<number> | undefined;
  const program = buildProgram((t) => {
    task = t;
  });
  try {
    await program.parseAsync(argv);
    const code = task ? await task : ExitCode.ok;
    process.exit(code);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : ExitCode.badInput);
    if (err instanceof CliError) {
      io.stderr(`fillflow: ${err.message}`);
      process.exit(err.exitCode);
    }
    io.stderr(`fillflow: ${(err as Error).message ?? String(err)}`);
    process.exit(ExitCode.failed);
  }
}

await main(process.argv);
