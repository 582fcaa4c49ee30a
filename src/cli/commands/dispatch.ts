import { randomBytes } from "node:crypto";
import { appendFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Octokit } from "@octokit/rest";
import { Command } from "commander";
import { z } from "zod";
import { readGitHubEnvironment } from "../../config/github.js";
import type { Config } from "../../config/schema.js";
import { type DispatchDeps, dispatchSettingsFrom, runDispatchCycle } from "../../dispatch/cycle.js";
import type { CycleRecord } from "../../dispatch/decisions.js";
import { commandLauncher } from "../../dispatch/launchers/command-launcher.js";
import { githubWorkflowLauncher } from "../../dispatch/launchers/github-workflow-launcher.js";
import type { Launcher } from "../../dispatch/launchers/launcher.js";
import type { DispatchLifecycle } from "../../dispatch/port.js";
import type { WorkerCountSource } from "../../dispatch/worker-count.js";
import { lifecycleWorkerSource, workflowRunsWorkerSource } from "../../dispatch/worker-sources.js";
import type { Lifecycle } from "../../lifecycle/index.js";
import type { CliContext } from "../context.js";
import { cycleMarkdown, formatCycle } from "../dispatch-report.js";
import { CliError, EXIT_USAGE } from "../errors.js";
import { formatTable, printJson } from "../output.js";
import { parseOptions } from "../parse.js";
import { runPasses } from "../passes.js";

const RunOptions = z.object({
  dryRun: z.boolean().optional(),
  json: z.boolean().optional(),
  loop: z.boolean().optional(),
  interval: z.coerce.number().positive().max(86_400),
  maxCycles: z.coerce.number().int().positive().optional(),
  holder: z.string().trim().min(1).max(200).optional(),
});
type RunOptions = z.infer<typeof RunOptions>;

export function dispatchCommand(ctx: CliContext): Command {
  const dispatch = new Command("dispatch")
    .description("claim runnable tickets and launch workers: one cycle, or --loop for local use")
    .option("--dry-run", "decide and print, write nothing (no lease, no claims, no launches)")
    .option("--json", "print each cycle record as JSON")
    .option(
      "--loop",
      "run cycles until interrupted (local use; in GitHub Actions the schedule runs one cycle)",
    )
    .option("--interval <seconds>", "pause between cycles with --loop", "30")
    .option("--max-cycles <n>", "with --loop: stop after this many cycles")
    .option("--holder <name>", "name of this dispatcher in the lease and events (default host/pid/random)")
    .addHelpText(
      "after",
      "\nExit status is 0 when the cycle ran or found the dispatch lease held (lock_held); non-zero only on real errors.",
    )
    .action(async (raw: Record<string, unknown>) => {
      const options = parseOptions(RunOptions, raw);
      if (options.maxCycles && !options.loop) throw new CliError("--max-cycles needs --loop", EXIT_USAGE);
      await runCycles(ctx, options);
    });

  dispatch
    .command("history")
    .description("recent dispatch cycles, newest first")
    .option("--limit <n>", "how many cycles (1–500)", "20")
    .option("--json", "print the cycle records as JSON")
    .action(async (raw: Record<string, unknown>) => {
      const options = parseOptions(
        z.object({ limit: z.coerce.number().int().min(1).max(500), json: z.boolean().optional() }),
        raw,
      );
      await ctx.withDatabase(async ({ lifecycle }) => {
        const cycles = await lifecycle.recentDispatchCycles(options.limit);
        if (options.json) return printJson(cycles, ctx.io.stdout);
        if (!cycles.length) return ctx.io.stdout("no dispatch cycles yet\n");
        ctx.io.stdout(
          `${formatTable(
            ["id", "started", "holder", "outcome", "counts", "ms"],
            cycles.map((c) => [
              c.id,
              c.startedAt,
              c.holder,
              c.outcome,
              Object.entries(c.counts)
                .map(([k, v]) => `${k}=${v}`)
                .join(" "),
              c.finishedAt.getTime() - c.startedAt.getTime(),
            ]),
          )}\n`,
        );
      });
    });
  return dispatch;
}

async function runCycles(ctx: CliContext, options: RunOptions): Promise<void> {
  const config = await ctx.config();
  const holder = options.holder ?? `${os.hostname()}/${process.pid}/${randomBytes(3).toString("hex")}`;
  await runPasses(
    { loop: options.loop ?? false, intervalMs: options.interval * 1000, maxPasses: options.maxCycles },
    async () => {
      // The database is opened per cycle so that, on the embedded database, launched workers can
      // take their turn with it between cycles.
      const record = await ctx.withDatabase(({ lifecycle }) =>
        runDispatchCycle(buildDispatcher(ctx, config, lifecycle, holder), {
          dryRun: options.dryRun ?? false,
        }),
      );
      await report(ctx, record, options);
    },
  );
}

async function report(ctx: CliContext, record: CycleRecord, options: RunOptions): Promise<void> {
  if (options.json) printJson(record, ctx.io.stdout);
  else ctx.io.stdout(formatCycle(record));
  const summaryFile = ctx.processEnv.GITHUB_STEP_SUMMARY;
  if (summaryFile) await appendFile(summaryFile, `${cycleMarkdown(record)}\n`);
}

/** The composition root of the dispatcher: configuration → settings, count sources and launcher. */
function buildDispatcher(
  ctx: CliContext,
  config: Config,
  lifecycle: DispatchLifecycle & Pick<Lifecycle, "countLiveAttempts">,
  holder: string,
): DispatchDeps {
  const d = config.dispatch;
  const settings = dispatchSettingsFrom(d);
  const sources: WorkerCountSource[] = [lifecycleWorkerSource(lifecycle)];
  let launcher: Launcher;
  const launch = d.launcher;
  if (launch.kind === "github-workflow") {
    const github = readGitHubEnvironment(ctx.processEnv);
    if (!github.token) throw new CliError("the github-workflow launcher needs GITHUB_TOKEN", EXIT_USAGE);
    const octokit = new Octokit({
      auth: github.token,
      baseUrl: github.apiUrl,
      userAgent: "mission-control-dispatch",
    });
    const [owner = "", repo = ""] = launch.repository.split("/");
    launcher = githubWorkflowLauncher(octokit, { owner, repo, workflow: launch.workflow, ref: launch.ref });
    sources.push(workflowRunsWorkerSource(octokit, { owner, repo, workflow: launch.workflow }));
  } else {
    const cwd = ctx.environment().cwd;
    const agent = config.worker.agent_command;
    const argv =
      launch.command ??
      (agent
        ? [
            process.execPath,
            process.argv[1] ?? "mctl",
            "worker",
            "run",
            "--attempt",
            "{attempt}",
            "--",
            ...agent,
          ]
        : undefined);
    launcher = argv
      ? commandLauncher({ argv, cwd, env: ctx.processEnv, stateDir: path.join(cwd, ".mission-control") })
      : {
          kind: "command",
          launch: async () => ({
            ok: false,
            error:
              "no worker command: set worker.agent_command (or dispatch.launcher.command) in the configuration",
          }),
        };
  }
  return { lifecycle, sources, launcher, settings, holder };
}
