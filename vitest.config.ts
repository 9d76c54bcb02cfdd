import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// DynamoDB Local (Java) lives for minutes in a test run, too short for the JVM's optimising
// compiler to pay back its CPU, and on 2 cores that compiler competes with the test workers
// and DynamoDB Local itself. With the quick compiler alone, `npm run test:integration` took
// 169 s and passed; without, 276 s, with the DynamoDB Local model sample timing out (it takes
// 14 s alone). The serial collector saved nothing (two integration files: 39.8 s, 39.5 s without).
// Set here, the main process hands it to every DynamoDB Local the run starts (each
// integration file's and each end-to-end `npm start`'s); a value already set wins.
process.env.JDK_JAVA_OPTIONS ??= '-XX:TieredStopAtLevel=1';

/**
 * One vitest project per kind of test, so each can run alone (`npm run test:unit`, …) and
 * `npm test` runs them all. Each integration test file starts its own DynamoDB Local
 * (test/support/dynamo.ts); unit tests never touch the network.
 */
export default defineConfig({
  test: {
    // Quiet Powertools in tests; failures still show the assertion that broke.
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
    // Everything a run writes to the temporary directory goes, and is removed, with it.
    globalSetup: ['test/support/temp-dir-setup.ts'],
    // Vitest's default is one worker fewer than the cores: one worker on a 2-core machine, so
    // every file ran after the other (537 s there). At least two: 395 s, the same 729 tests passing.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    reporters: process.env.CI
      ? ['default', ['json', { outputFile: 'test-results/vitest.json' }]]
      : ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'model',
          include: ['test/model/**/*.test.ts'],
          environment: 'node',
          testTimeout: 600_000,
        },
      },
      {
        test: {
          name: 'contract',
          include: ['test/contract/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
