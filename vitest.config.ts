/** Test projects by kind: unit (pure, milliseconds), gemini (real SDK over HTTP against the emulator),
 * integration (a real Temporal dev server), replay (recorded histories). Run one with --project NAME. */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    // The JSON report is what .ci/run reads for its closing "N passed, N failed" line.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { test: { name: 'gemini', include: ['test/gemini/**/*.test.ts'], testTimeout: 30_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          // Tests within a file share one dev server and run one after another.
          maxConcurrency: 1,
        },
      },
      { test: { name: 'replay', include: ['test/replay/**/*.test.ts'], testTimeout: 60_000 } },
    ],
  },
});
