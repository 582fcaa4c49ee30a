/**
 * The crash-injection harness, short version (`npm run test:chaos`; docs/chaos.md): real
 * dispatchers, workers, orchestrators and the app on PostgreSQL over a workload of scripted agents,
 * with seeded kill -9s and GitHub faults; then the history checker. Nothing lost, nothing done
 * twice, nothing claimed done without proof: lost = duplicated = unexpected = 0, and the workload
 * quiesces (its bound is a backstop for a hang, not a verdict on speed).
 *
 * MCTL_CHAOS_SEED reproduces a run's workload, fault plan and kill schedule (process timing still
 * varies); MCTL_CHAOS_TICKETS changes the workload's size (default 60, sized for the 4-minute
 * budget on 2 cores: docs/chaos.md); MCTL_CHAOS_DIST runs another
 * build than ./dist.
 */
import { expect, it } from "vitest";
import { tempDir } from "../helpers/cli.js";
import { describePostgres } from "../helpers/databases.js";
import { formatReport, summaryLine } from "./checker.js";
import { runChaos } from "./harness.js";

const seed = Number(process.env.MCTL_CHAOS_SEED || Math.floor(Math.random() * 2 ** 31));
const tickets = Number(process.env.MCTL_CHAOS_TICKETS || 60);
const dist = process.env.MCTL_CHAOS_DIST;

describePostgres("chaos: kill -9 under load", ({ db, url }) => {
  it(`${tickets} tickets, seeded kills and GitHub faults: nothing lost, duplicated or unexpected (seed ${seed})`, async () => {
    const dir = await tempDir("mctl-chaos-");
    let keep = true;
    try {
      const result = await runChaos({
        seed,
        tickets,
        db: db(),
        databaseUrl: url(),
        workDir: dir.path,
        chaosMs: 60_000,
        maxKills: 15,
        // A backstop for a hang, never a verdict on speed: on a busy machine the same workload takes
        // longer to quiesce (CI once hit a 200 s bound with every invariant at 0 and 2 tickets left).
        boundMs: 600_000,
        dispatchers: 2,
        orchestrators: 2,
        maxWorkers: 8,
        faults: { serverErrors: 0.02, secondaryRateLimits: 0.01 },
        ...(dist ? { dist } : {}),
        log: (line) => console.log(line),
      });
      console.log(formatReport(result.report));
      console.log(`[chaos] figures ${JSON.stringify(result.figures)}`);
      expect(summaryLine(result.report), formatReport(result.report)).toBe(
        `lost=0 duplicated=0 unexpected=0 seed=${seed}`,
      );
      expect(result.report.endedBy, `the workload did not quiesce (seed ${seed})`).toBe("quiesced");
      expect(Object.values(result.figures.kills).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      expect(result.figures.crashes, "processes that exited on their own (see the run's logs)").toEqual({});
      keep = false;
    } finally {
      if (keep) console.warn(`[chaos] kept ${dir.path} (logs, journal, git repositories) for inspection`);
      else await dir.remove();
    }
  });
});
