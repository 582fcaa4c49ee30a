import { randomBytes } from "node:crypto";
import { appendFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Octokit } from "@octokit/rest";
import { Command } from "commander";
import { z } from "zod";
import { ActionsIdTokenError, requestActionsIdToken } from "../../actions/id-token.js";
import { readGitHubEnvironment } from "../../config/github.js";
import type { Config } from "../../config/schema.js";
import { composeDispatcher, type DispatcherParts } from "../../dispatch/compose.js";
import { type DispatchDeps, runDispatchCycle } from "../../dispatch/cycle.js";
import type { CycleRecord } from "../../dispatch/decisions.js";
import { githubClient } from "../../github/client.js";
import { commandLauncher } from "../../dispatch/launchers/command-launcher.js";
import type { Launcher } from "../../dispatch/launchers/launcher.js";
import type { CliContext, DatabaseSession } from "../context.js";
import { cycleMarkdown, formatCycle } from "../dispatch-report.js";
import { dispatchVia } from "../dispatch-via.js";
import { CliError, EXIT_USAGE } from "../errors.js";
import { formatTable, printJson } from "../output.js";
import { parseOptions } from "../parse.js";
import { loopOutage, runPasses } from "../passes.js";

const RunOptions = z.object({
  dryRun: z.boolean().optional(),
  json: z.boolean().optional(),
  loop: z.boolean().optional(),
  interval: z.coerce.number().positive().max(86_400),
  maxCycles: z.coerce.number().int().positive().optional(),
  holder: z.string().trim().min(1).max(200).optional(),
  via: z.string().trim().min(1).optional(),
  owner: z
    .string()
    .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, "must be a GitHub owner name (e.g. acme)")
    .optional(),
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
    .option(
      "--owner <owner>",
      "dispatch only this owner's tickets (acme/*), under its own lease and pause setting (dispatch:<owner>)",
    )
    .option(
      "--via <url>",
      "ask the app at this URL (its app.public_url) to run the cycle, authenticated by this GitHub Actions job's OIDC token: no database credential needed",
    )
    .addHelpText(
      "after",
      "\nExit status is 0 when the cycle ran or found the dispatch lease held (lock_held); non-zero on real errors and when a launch failed for configuration (launch_config_error: the fix is printed)." +
        "\nWith --via the job needs `permissions: id-token: write`; the app decides the owner from the token.",
    )
    .action(async (raw: Record<string, unknown>) => {
      const options = parseOptions(RunOptions, raw);
      if (options.maxCycles && !options.loop) throw new CliError("--max-cycles needs --loop", EXIT_USAGE);
      if (options.via) {
        if (options.loop || options.dryRun || options.owner || options.holder)
          throw new CliError(
            "--via runs one cycle in the app for the token's owner: it cannot be combined with --loop, --dry-run, --owner or --holder",
            EXIT_USAGE,
          );
        const via = options.via;
        const record = await dispatchVia(via, {
          idToken: async (audience) => {
            try {
              return await requestActionsIdToken({ audience, env: ctx.processEnv });
            } catch (error) {
              if (error instanceof ActionsIdTokenError)
                throw new CliError(error.message, 1, { code: "id_token" });
              throw error;
            }
          },
        });
        await reportOrFail(ctx, record, options);
        return;
      }
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
            ["id", "started", "scope", "holder", "outcome", "counts", "ms"],
            cycles.map((c) => [
              c.id,
              c.startedAt,
              c.scope ?? "all",
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
  const cycle = ({ lifecycle }: DatabaseSession) =>
    runDispatchCycle(buildDispatcher(ctx, config, lifecycle, holder), {
      dryRun: options.dryRun ?? false,
      scope: options.owner ? { owner: options.owner } : "all",
    });
  const database = ctx.passDatabase();
  try {
    await runPasses(
      {
        loop: options.loop ?? false,
        intervalMs: options.interval * 1000,
        maxPasses: options.maxCycles,
        outage: loopOutage(ctx, config, "dispatch --loop"),
      },
      async () => reportOrFail(ctx, await database.run(cycle), options),
    );
  } finally {
    await database.close();
  }
}

/** What a person must fix when the cycle's launches failed for configuration; null if none did. */
function configurationErrorOf(record: CycleRecord): string | null {
  const errors = record.decisions.flatMap((d) => (d.code === "launch_config_error" ? [d] : []));
  if (!errors.length) return null;
  const fixes = [...new Map(errors.map((e) => [e.repository, `${e.repository}: ${e.fix}`])).values()];
  return `launches failed for configuration (launch_config_error), no attempts were spent; fix ${fixes.join("; ")}`;
}

/**
 * Prints the cycle; when its launches failed for configuration, one cycle (the scheduled
 * workflow's) then fails so that its run goes red, while a loop says so and goes on. With --json
 * the failing cycle's record is the error's `detail` (stdout stays one JSON document).
 */
async function reportOrFail(ctx: CliContext, record: CycleRecord, options: RunOptions): Promise<void> {
  const message = configurationErrorOf(record);
  const fail = message !== null && !options.loop;
  await report(ctx, record, options, !(fail && options.json));
  if (message === null) return;
  if (!fail) ctx.io.stderr(`mctl: ${message}\n`);
  else
    throw new CliError(message, 1, {
      code: "launch_config_error",
      ...(options.json ? { detail: record } : {}),
    });
}

async function report(
  ctx: CliContext,
  record: CycleRecord,
  options: RunOptions,
  printRecord = true,
): Promise<void> {
  if (options.json) {
    if (printRecord) printJson(record, ctx.io.stdout);
  } else ctx.io.stdout(formatCycle(record));
  const summaryFile = ctx.processEnv.GITHUB_STEP_SUMMARY;
  if (summaryFile) await appendFile(summaryFile, `${cycleMarkdown(record)}\n`);
}

/**
 * The composition root of the dispatcher (src/dispatch/compose.ts) with this process's GitHub token
 * and local command launchers. Fails at start, not mid-cycle, when a github-workflow launcher is
 * configured without a token.
 */
function buildDispatcher(
  ctx: CliContext,
  config: Config,
  lifecycle: DispatcherParts["lifecycle"],
  holder: string,
): DispatchDeps {
  let octokit: Promise<Octokit> | null = null;
  const env = readGitHubEnvironment(ctx.processEnv);
  const github = (): Promise<Octokit> => {
    if (!env.token) throw new CliError("the github-workflow launcher needs GITHUB_TOKEN", EXIT_USAGE);
    octokit ??= githubClient({
      token: env.token,
      baseUrl: env.apiUrl,
      userAgent: "mission-control-dispatch",
      warn: (message) => ctx.io.stderr(`mctl: ${message}\n`),
    });
    return octokit;
  };
  const kinds = [
    config.dispatch.launcher.kind,
    ...Object.values(config.repositories ?? {}).map((r) => r.launcher?.kind),
  ];
  if (kinds.includes("github-workflow") && !env.token)
    throw new CliError("the github-workflow launcher needs GITHUB_TOKEN", EXIT_USAGE);
  const agentLauncher = commandLauncherFrom(ctx, config);
  return composeDispatcher({
    config,
    lifecycle,
    holder,
    octokitFor: async () => github(),
    commandLauncher: (launch) =>
      launch.command
        ? commandLauncher({
            argv: launch.command,
            cwd: ctx.environment().cwd,
            env: ctx.processEnv,
            stateDir: path.join(ctx.environment().cwd, ".mission-control"),
          })
        : agentLauncher,
  });
}

/** The local command launcher: this mctl running `worker run` with `worker.agent_command`. */
function commandLauncherFrom(ctx: CliContext, config: Config): Launcher {
  const cwd = ctx.environment().cwd;
  const agent = config.worker.agent_command;
  const argv = agent
    ? [process.execPath, process.argv[1] ?? "mctl", "worker", "run", "--attempt", "{attempt}", "--", ...agent]
    : undefined;
  return argv
    ? commandLauncher({ argv, cwd, env: ctx.processEnv, stateDir: path.join(cwd, ".mission-control") })
    : {
        kind: "command",
        launch: async () => ({
          ok: false,
          error: "no worker command is configured",
          fix: "set worker.agent_command (or dispatch.launcher.command) in .github/mission-control.yml",
        }),
      };
}
