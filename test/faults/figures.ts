/** @module The figures each fault case reports (what was tried, what survived, what was lost, how long it took):
 * printed by the case, and left as a JSON file in the folder the run's global setup made, from which its teardown
 * writes docs/reliability.md (reliability-report.ts). Cases run in separate worker processes, hence the files. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the cases leave their figures for the teardown; set by reliability-report.ts's setup. */
export const FIGURES_DIR_ENV = 'FILLFLOW_FAULT_FIGURES_DIR';

export interface CaseFigures {
  /** Short and stable: it orders the report and names the file. */
  id: string;
  title: string;
  /** What the case did to the system, in a sentence or two. */
  tried: string;
  /** What came through whole, as counts with their meaning. */
  survived: string;
  /** Work lost: results missing or wrong, fills failed, batches redone after they finished. Asserted 0. */
  lost: number;
  /** What "lost" counted. */
  lostMeans: string;
  /** Further counts worth reading beside the invariant (retries, calls re-sent while in flight...). */
  details: string[];
  wallMs: number;
}

/** Prints the case's figures and leaves them for the report. */
export function reportCase(figures: CaseFigures): void {
  const lines = [
    `[faults] ${figures.title} (${(figures.wallMs / 1000).toFixed(1)} s)`,
    `  tried:    ${figures.tried}`,
    `  survived: ${figures.survived}`,
    `  lost:     ${figures.lost} (${figures.lostMeans})`,
    ...figures.details.map((d) => `  - ${d}`),
  ];
  console.log(lines.join('\n'));
  const dir = process.env[FIGURES_DIR_ENV];
  if (dir) writeFileSync(join(dir, `${figures.id}.json`), JSON.stringify(figures));
}
