/** Test projects by kind: unit (pure, milliseconds), gemini (real SDK over HTTP against the emulator),
 * integration (a real Temporal dev server), replay (recorded histories). Run one with --project NAME. */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { test: { name: 'gemini', include: ['test/gemini/**/*.test.ts'], testTimeout: 30_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          // Each file starts its own dev server; two at once is what 2 cores carry comfortably.
          maxConcurrency: 1,
          poolOptions: { forks: { maxForks: 2, minForks: 1 } },
        },
      },
      { test: { name: 'replay', include: ['test/replay/**/*.test.ts'], testTimeout: 60_000 } },
    ],
  },
});
