import { defineConfig } from 'vitest/config';

/**
 * Files that measure rates or time, count a worker's metrics, or start the local stack with its
 * services on their usual ports (a second stack at the same moment could take one): they run one
 * at a time, after the others, so that no other file's load skews what they measure. The demo's
 * test starts services too, and runs with the others: it is the longest file, and nothing else
 * that starts services runs beside it.
 */
const alone = [
  'test/unit/**/*.test.ts',
  'test/integration/fleet-rate-limit.test.ts',
  'test/integration/bench-smoke.test.ts',
  'test/integration/worker-metrics.test.ts',
  'test/integration/stack.test.ts',
  'test/integration/cli-help.test.ts',
  'test/integration/installed-command.test.ts',
];

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'together',
          include: ['test/**/*.test.ts'],
          exclude: alone,
          // Most files wait on retries, timeouts and servers far more than they compute: two at once.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'alone', include: alone, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
