import { defineConfig } from "vitest/config";

/**
 * `npm run test:chaos`: the crash-injection suite (test/chaos, docs/chaos.md), run by CI after
 * `npm test`. It needs PostgreSQL (the same globalSetup as the main suite; with
 * MCTL_REQUIRE_POSTGRES=1 an unreachable server is a failure, otherwise the harness is skipped)
 * and a build (`npm run build`: the processes it starts run dist/).
 */
export default defineConfig({
  test: {
    include: ["test/chaos/**/*.test.ts"],
    globalSetup: ["test/setup/postgres.ts"],
    // Above the harness's own 600 s bound (test/chaos/chaos.test.ts): backstops, never verdicts.
    testTimeout: 900_000,
    hookTimeout: 60_000,
    // One file at a time: the harness alone keeps both cores busy.
    maxWorkers: 1,
    fileParallelism: false,
  },
});
