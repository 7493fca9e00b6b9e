/** @module The `fillflow` command line (its contract: docs/cli.md). Each command lives in its own module. */
import { Command, CommanderError } from 'commander';
import { registerBulkCommand } from './bulk-command.js';
import { CliError, ExitCode } from './cli-error.js';
import { codecServerCommand } from './codec-server-command.js';
import { emulatorCommand } from './emulator-command.js';
import { fillCommand } from './fill-command.js';
import { dbCommand } from './db-command.js';
import { registerDeployCommand } from './deploy-command.js';
import { cancelCommand, resumeCommand } from './fill-control-commands.js';
import { ingestCommand, statusCommand } from './inspect-commands.js';
import { statsCommand } from './stats-command.js';
import { withLimitFlags } from './limit-flags.js';
import { limitsCommand } from './limits-command.js';
import { apiCommand, devCommand, serverCommand, workerCommand } from './service-commands.js';

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

  withLimitFlags(program
    .command('fill')
    .description('fill a template from documents and write the result')
    .requiredOption('--template <file>', 'template: JSON spec, Markdown (.md), Word (.docx) or fillable PDF (.pdf)')
    .option('--spec <file>', 'JSON spec giving a document template its field types and labels')
    .option('--output <file>', 'also write the filled document here')
    .requiredOption('--docs <paths...>', 'documents or folders of documents')
    .option('--out <file>', 'where to write the result JSON (required unless --dry-run)')
    .option('--dry-run', 'print the calls and tokens the fill would spend under the limits in force, and spend nothing')
    .option('--max-batch-size <n>', 'most fields per Gemini call')
    .option('--max-input-tokens <n>', 'most prompt tokens per Gemini call')
    .option('--profile <name>', 'conservative | balanced | aggressive')
    .option('--worker', 'with TEMPORAL_ADDRESS: also run a worker in this process')
    .option('--json', 'also print the result JSON on stdout')
    .option('--priority <level>', 'interactive | bulk: task priority of this fill on the Gemini queue')
    .option('--on-quota-exhausted <mode>', 'wait | fallback: when the daily quota runs out, park only, or also fill offline at once')
    .option('--max-concurrent-batches <n>', "most of this fill's batches in flight at once"))
    .action((opts) => run(fillCommand(opts, io)));

  withLimitFlags(program
    .command('dev')
    .description('local Temporal dev server (127.0.0.1:7233, UI 8233), workers, and the HTTP API')
    .option('--json', 'print the ready line as JSON'))
    .action((opts) => run(devCommand(io, opts)));
  program
    .command('server')
    .description('the local Temporal dev server alone')
    .option('--json', 'print the ready line as JSON')
    .action((opts) => run(serverCommand(io, opts)));
  withLimitFlags(program
    .command('worker')
    .description('run workers against TEMPORAL_ADDRESS (default 127.0.0.1:7233)')
    .option('--role <role>', 'fill | gemini | all', 'all')
    .option('--json', 'print the ready line as JSON'))
    .action((opts) => run(workerCommand(opts, io)));
  program
    .command('api')
    .description('the HTTP API alone, against TEMPORAL_ADDRESS and FILLFLOW_DB, on FILLFLOW_API_HOST:FILLFLOW_API_PORT')
    .option('--port <n>', 'port (default FILLFLOW_API_PORT, else 8080; 0 picks a free one)')
    .option('--json', 'print the ready line as JSON')
    .action((opts) => run(apiCommand(io, opts)));
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
    .command('resume')
    .description('resume a fill parked on an exhausted daily quota, at once')
    .argument('<fillId>')
    .option('--json', 'print JSON')
    .action((id: string, opts) => run(resumeCommand(id, opts, io)));
  program
    .command('cancel')
    .description('cancel a running fill')
    .argument('<fillId>')
    .option('--json', 'print JSON')
    .action((id: string, opts) => run(cancelCommand(id, opts, io)));
  program
    .command('stats')
    .description('Gemini usage: calls, tokens, cache, 429s by kind, time waited and parked, limits and daily quota left')
    .option('--json', 'print JSON (the shape GET /api/templates/stats/api-usage serves)')
    .option('--fill <id>', "one fill's usage instead of the totals")
    .action((opts) => run(statsCommand(opts, io)));
  withLimitFlags(program
    .command('limits')
    .description('quota limits in force; `apply` changes them for running workers (queue rate limit and ledger), `reset` clears that')
    .argument('[action]', 'show | apply | reset', 'show')
    .option('--json', 'print JSON'))
    .action((action: string, opts) => run(limitsCommand(action, opts, io)));
  program
    .command('codec-server')
    .description('serve POST /encode and /decode for the Temporal UI, with the payload keys configured (FILLFLOW_ENCRYPTION_KEY)')
    .option('--port <n>', 'port (default FILLFLOW_CODEC_PORT, else 8081; 0 picks a free one)')
    .option('--host <ip>', 'address to bind (default 127.0.0.1; beyond loopback needs FILLFLOW_API_TOKEN)')
    .option('--json', 'print the ready line as JSON')
    .action((opts) => run(codecServerCommand(opts, io)));
  program
    .command('db')
    .description('the store at FILLFLOW_DB: `migrate` runs its pending schema migrations (every process also does at start)')
    .argument('<action>', 'migrate')
    .option('--json', 'print JSON')
    .action((action: string, opts) => run(dbCommand(action, opts, io)));
  registerBulkCommand(program, run, io);
  registerDeployCommand(program, run, io);
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
    .option('--json', 'print the ready line as JSON')
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
