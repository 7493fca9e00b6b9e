/** The fault suite (`npm run test:faults`): workers, servers and stores killed, locked and stormed mid-work, with
 * figures for each case written to docs/reliability.md by the run (test/faults/reliability-report.ts). Not part of
 * `npm test`: it takes minutes. */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts', 'test/faults/reliability-report.ts'],
    reporters: ['default', 'json'],
    // Its own report, so a fault run never overwrites the one .ci/run reads for `npm test`.
    outputFile: { json: '.vitest-faults-report.json' },
    testTimeout: 600_000,
    hookTimeout: 180_000,
    // Two cases at a time: most of a case is waiting (heartbeat timeouts, retry hints, a 30 s lock), but a 2-core
    // machine cannot build many workflow bundles at once.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
