/** @module `fillflow emulator`: the Gemini emulator as its own process, for demos of quota behaviour
 * and for checks run from a shell. It answers from a gold table, never from a model. */
import { goldAnswers, loadGoldTable, nullAnswers, startEmulator } from '../emulator/index.js';
import { CliError, ExitCode } from './cli-error.js';

export interface EmulatorCommandOptions {
  port?: string;
  rpm?: string;
  tpm?: string;
  rpd?: string;
  latencyMs?: string;
  gold?: string;
  apiKey?: string[];
  json?: boolean;
}

export async function emulatorCommand(opts: EmulatorCommandOptions, io: { stdout: (l: string) => void }): Promise<number> {
  const num = (v: string | undefined, flag: string) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new CliError(`${flag} must be a non-negative number, got "${v}"`);
    return n;
  };
  const rpm = num(opts.rpm, '--rpm');
  const tpm = num(opts.tpm, '--tpm');
  const rpd = num(opts.rpd, '--rpd');
  const latency = num(opts.latencyMs, '--latency-ms');
  let answer;
  try {
    answer = opts.gold ? goldAnswers(loadGoldTable(opts.gold)) : nullAnswers();
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const emulator = await startEmulator({
    port: num(opts.port, '--port') ?? 8090,
    limits: { ...(rpm ? { rpm } : {}), ...(tpm ? { tpm } : {}), ...(rpd ? { rpd } : {}) },
    ...(latency !== undefined ? { latencyMs: latency } : {}),
    ...(opts.apiKey && opts.apiKey.length > 0 ? { apiKeys: opts.apiKey } : {}),
    answer,
  });
  if (opts.json) {
    io.stdout(JSON.stringify({ ready: true, url: emulator.url, control: `${emulator.url}/_emulator/`, gold: opts.gold ?? null }));
  } else {
    io.stdout(`Gemini emulator ready at ${emulator.url} (a test tool: answers come from ${opts.gold ?? 'nowhere: every value is null'})`);
    io.stdout(`use: GEMINI_BASE_URL=${emulator.url} GEMINI_API_KEY=any-key fillflow fill ...; control API under ${emulator.url}/_emulator/`);
  }
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await emulator.close();
  return ExitCode.ok;
}
