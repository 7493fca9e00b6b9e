/** @module Fill progress on stderr: a cli-progress bar on a terminal, plain `progress:` lines otherwise
 * (pipes, CI logs and scripts read lines; a bar would fill them with carriage returns). */
import { SingleBar } from 'cli-progress';
import type { FillProgress } from '../core/fill-records.js';
import { formatProgress } from './format-progress.js';

export interface ProgressReporter {
  update(p: FillProgress): void;
  stop(): void;
}

export function progressReporter(io: { stderr: (line: string) => void }, tty: boolean): ProgressReporter {
  if (!tty) return { update: (p) => io.stderr(formatProgress(p)), stop: () => {} };
  const bar = new SingleBar({
    stream: process.stderr,
    format: '{phase} [{bar}] {value}/{total} fields | batches {batches}',
    barsize: 30,
    hideCursor: true,
    clearOnComplete: false,
  });
  let started = false;
  return {
    update(p) {
      const payload = { phase: p.phase.padEnd(12), batches: `${p.batchesDone}/${p.batchesTotal}` };
      if (!started) {
        bar.start(Math.max(p.fieldsTotal, 1), p.fieldsDone, payload);
        started = true;
      } else {
        bar.setTotal(Math.max(p.fieldsTotal, 1));
        bar.update(p.fieldsDone, payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
