import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The crash-injection suite is `npm run test:chaos` (vitest.chaos.config.ts), run by CI after `npm test`.
    exclude: ["test/chaos/**", "node_modules/**"],
    // log-scan + capture-logs: every worker's and spawned process's output is scanned for secrets at
    // the end of the run, and a secret found fails it (docs/hardening.md).
    globalSetup: ["test/setup/postgres.ts", "test/setup/pglite.ts", "test/setup/log-scan.ts"],
    setupFiles: ["test/setup/capture-logs.ts"],
    // A backstop for a test that hangs, never a verdict on speed: on a loaded machine PGlite alone can
    // take a minute to start, and the process tests wait (test/helpers/until.ts) without deadlines.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Two cores: one worker per core keeps PGlite start-up and PostgreSQL tests from starving each other.
    maxWorkers: 2,
    // Each worker keeps its imported modules from file to file (probot, drizzle, PGlite's loader…):
    // about a third less CPU. Files still get their own databases, servers and temporary folders, and
    // the log capture installs itself once per worker (test/setup/capture-logs.ts).
    isolate: false,
    // @actions/workflow-parser imports its JSON schema without `with { type: "json" }`, which Node 20
    // refuses; bundled by Vite it loads on every Node version (test/workflows/lint.test.ts).
    server: { deps: { inline: ["@actions/workflow-parser"] } },
  },
});
