import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { defineConfig, type TestUserConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The test files that open the embedded database (PGlite) inside the test process. They run in
 * workers of their own (the "embedded" project, first), so that the workers of every other file
 * stay small: PGlite keeps about 700 MB resident even after it is closed, and a process forked
 * from a worker that big (every git, sh and mctl a test starts) costs about ten times the CPU
 * (a fork copies the page tables). Measured in docs/benchmarks.md, "The test suite". A file is
 * told by the helpers it calls; one the pattern misses still passes, only slower.
 */
const EMBEDDED =
  /describeEachDriver\(|describeEachSharedDatabase\(|openTestPglite|openMigratedPglite|driver: "pglite"/;

const testFiles = (readdirSync("test", { recursive: true, encoding: "utf8" }) as string[])
  .filter((file) => file.endsWith(".test.ts") && !file.startsWith("chaos/"))
  .map((file) => `test/${file}`);
const embedded = testFiles.filter((file) => EMBEDDED.test(readFileSync(file, "utf8")));

/**
 * The files that took longest (per-file times of npm test, docs/benchmarks.md "The test suite"),
 * longest first. Vitest starts the files it has timed before longest first; on a fresh clone it
 * has no timings and goes by file size, which left several of these for the end (npm test took
 * 156 s instead of 144 s). A stale list only costs time.
 */
const LONGEST = [
  "test/demo/demo.test.ts",
  "test/worker/remote-cli.test.ts",
  "test/workflows/installation.e2e.test.ts",
  "test/dispatch/processes.test.ts",
  "test/worker/runner-lease.test.ts",
  "test/app/setup-flow.e2e.test.ts",
  "test/worker/runner-outcomes.test.ts",
  "test/worker/runner-signals.test.ts",
  "test/maintenance/cli.test.ts",
  "test/security/hostile-agent.test.ts",
  "test/lifecycle/concurrency.test.ts",
  "test/cli/outage.test.ts",
  "test/security/hostile-agent-sandboxed.test.ts",
  "test/cli/ticket.test.ts",
  "test/worker/outage.test.ts",
  "test/inbox/cli.test.ts",
  "test/app/mirror.e2e.test.ts",
  "test/app/board.browser.test.ts",
  "test/cli/says-what-happened.test.ts",
  "test/operator/property.test.ts",
];

/** Vitest's own order, but with no timings of its own yet, the `LONGEST` files first. */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const timed = files.some((file) =>
      this.ctx.cache.getFileTestResults(
        `${file.project.name}:${path.relative(this.ctx.config.root, file.moduleId)}`,
      ),
    );
    if (timed) return sorted;
    const rank = (file: TestSpecification) => {
      const index = LONGEST.indexOf(path.relative(this.ctx.config.root, file.moduleId));
      return index < 0 ? LONGEST.length : index;
    };
    // Array.prototype.sort is stable: within a rank, and across projects, vitest's order stays.
    return sorted.sort(
      (a, b) =>
        a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder || rank(a) - rank(b),
    );
  }
}

/** What both projects share; the global set-up belongs to the root, which runs it once. */
const shared = {
  setupFiles: ["test/setup/capture-logs.ts"],
  // A backstop for a test that hangs, never a verdict on speed: on a loaded machine PGlite alone can
  // take a minute to start, and the process tests wait (test/helpers/until.ts) without deadlines.
  testTimeout: 300_000,
  hookTimeout: 300_000,
  // Each worker keeps its imported modules from file to file (probot, drizzle, PGlite's loader…):
  // about a third less CPU. Files still get their own databases, servers and temporary folders, and
  // the log capture installs itself once per worker (test/setup/capture-logs.ts).
  isolate: false,
  // @actions/workflow-parser imports its JSON schema without `with { type: "json" }`, which Node 20
  // refuses; bundled by Vite it loads on every Node version (test/workflows/lint.test.ts).
  server: { deps: { inline: ["@actions/workflow-parser"] } },
} satisfies TestUserConfig;

export default defineConfig({
  test: {
    sequence: { sequencer: LongestFirst },
    // log-scan + capture-logs: every worker's and spawned process's output is scanned for secrets at
    // the end of the run, and a secret found fails it (docs/hardening.md).
    globalSetup: ["test/setup/databases.ts", "test/setup/git-fixture.ts", "test/setup/log-scan.ts"],
    // The crash-injection suite (test/chaos) is `npm run test:chaos` (vitest.chaos.config.ts).
    projects: [
      {
        test: {
          ...shared,
          name: "embedded",
          include: embedded,
          // Two cores: one worker per core; these files spend their time in this process.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: "processes",
          include: testFiles.filter((file) => !embedded.includes(file)),
          // These files mostly wait for the processes, servers and browsers they start: four
          // workers keep both cores busy (npm test 154 s with three, 144 s with four).
          maxWorkers: 4,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
