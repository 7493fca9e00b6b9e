/** @module Global setup of the fault suite (vitest.faults.config.ts): a folder for the cases' figures, and, once
 * every case has run, docs/reliability.md written from them, so each run of `npm run test:faults` regenerates it. */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FIGURES_DIR_ENV, type CaseFigures } from './figures.js';

const REPORT = resolve(import.meta.dirname, '../../docs/reliability.md');

/** The cases the suite runs, in the report's order; one missing from a run is reported as such, not skipped. */
const CASES: { id: string; title: string }[] = [
  { id: 'gemini-worker-kill', title: 'Gemini worker SIGKILLed mid-fill' },
  { id: 'dev-server-restart', title: 'Temporal dev server SIGKILLed and restarted mid-bulk' },
  { id: 'error-storm', title: 'A storm of 429s, 503s, malformed and truncated answers' },
  { id: 'daily-quota-bulk', title: 'The daily quota running out mid-bulk' },
  { id: 'sqlite-locked', title: 'The SQLite store locked for 30 s mid-fill' },
  { id: 'postgres-restart', title: 'The Postgres store stopped and started mid-fill' },
];

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'fillflow-fault-figures-'));
  process.env[FIGURES_DIR_ENV] = dir;
  const started = Date.now();
  return () => {
    const figures = new Map<string, CaseFigures>();
    for (const f of readdirSync(dir)) {
      const fig = JSON.parse(readFileSync(join(dir, f), 'utf8')) as CaseFigures;
      figures.set(fig.id, fig);
    }
    // A run of some files only (`npm run test:faults -- test/faults/storm.test.ts`) leaves the report as it was.
    if (figures.size === CASES.length || process.env.FILLFLOW_FAULT_REPORT === 'always') writeFileSync(REPORT, render(figures, Date.now() - started));
    rmSync(dir, { recursive: true, force: true });
  };
}

function render(figures: Map<string, CaseFigures>, wallMs: number): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(0)} s`;
  const lost = [...figures.values()].reduce((n, f) => n + f.lost, 0);
  const out = [
    '# Reliability',
    '',
    'What the fault suite (`npm run test:faults`, `test/faults/`) did to Fillflow on its last run, and what came through.',
    'The suite writes this page itself at the end of every complete run; do not edit it by hand. Every case runs the',
    'real workers, a real Temporal server and the Gemini emulator over HTTP; "lost" is asserted to be 0, so a run that',
    'lost anything fails.',
    '',
    `- Run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${minutes(wallMs)} in all`,
    `- Machine: ${availableParallelism()} cores (${cpu}), shared with other work during the run; Node ${process.version}`,
    `- Lost, over every case: **${lost}**`,
    '',
    '| case | tried | survived | lost | wall time |',
    '|---|---|---|---|---|',
  ];
  for (const c of CASES) {
    const f = figures.get(c.id);
    out.push(f ? `| ${f.title} | ${cell(f.tried)} | ${cell(f.survived)} | ${f.lost} | ${seconds(f.wallMs)} |` : `| ${c.title} | not run, or failed before its figures | | | |`);
  }
  for (const c of CASES) {
    const f = figures.get(c.id);
    if (!f) continue;
    out.push('', `## ${f.title}`, '', `- Tried: ${f.tried}`, `- Survived: ${f.survived}`, `- Lost: ${f.lost} (${f.lostMeans})`, ...f.details.map((d) => `- ${d}`), `- Wall time: ${seconds(f.wallMs)}`);
  }
  return `${out.join('\n')}\n`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
