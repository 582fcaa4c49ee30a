import os from "node:os";
import { randomBytes } from "node:crypto";
import { Command } from "commander";
import { z } from "zod";
import type { Config } from "../../config/schema.js";
import type { Lifecycle } from "../../lifecycle/index.js";
import { type OrchestratorDeps, type PassReport, runOrchestratorPass } from "../../orchestrator/pass.js";
import type { CliContext } from "../context.js";
import { CliError, EXIT_USAGE } from "../errors.js";
import { formatTable, printJson } from "../output.js";
import { parseOptions } from "../parse.js";
import { loopOutage, runPasses } from "../passes.js";

const Options = z.object({
  json: z.boolean().optional(),
  loop: z.boolean().optional(),
  interval: z.coerce.number().positive().max(86_400),
  maxPasses: z.coerce.number().int().positive().optional(),
  holder: z.string().trim().min(1).max(200).optional(),
  pauseAfterDeliverMs: z.coerce.number().int().min(0).max(600_000).optional(),
});
type Options = z.infer<typeof Options>;

export function orchestrateCommand(ctx: CliContext): Command {
  return new Command("orchestrate")
    .description("apply the configured orchestrator rules to delivered inbox items (one pass, or --loop)")
    .option("--json", "print each pass as JSON")
    .option("--loop", "run passes until SIGINT/SIGTERM (the pass in progress finishes first)")
    .option("--interval <seconds>", "pause between passes with --loop", "30")
    .option("--max-passes <n>", "with --loop: stop after this many passes")
    .option("--holder <name>", "name of this orchestrator in deliveries and events (default host/pid/random)")
    .option(
      "--pause-after-deliver-ms <ms>",
      "for tests: wait this long between delivering and acting (crash tests kill the process there)",
    )
    .addHelpText(
      "after",
      "\nRules (configuration `orchestrator`): completion_verified → done, or in_review with review_required;\n" +
        "completion_failed → stays queued, or is held for a person with retry_failed_completions: false;\n" +
        "anything else is handed over to a person (mctl inbox next / act). Exit 0 also when orchestrate is paused.",
    )
    .action(async (raw: Record<string, unknown>) => {
      const options = parseOptions(Options, raw);
      if (options.maxPasses && !options.loop) throw new CliError("--max-passes needs --loop", EXIT_USAGE);
      const config = await ctx.config();
      const holder = options.holder ?? `${os.hostname()}/${process.pid}/${randomBytes(3).toString("hex")}`;
      const database = ctx.passDatabase();
      try {
        await runPasses(
          {
            loop: options.loop ?? false,
            intervalMs: options.interval * 1000,
            maxPasses: options.maxPasses,
            outage: loopOutage(ctx, config, "orchestrate --loop"),
          },
          async () => {
            const report = await database.run(({ lifecycle }) =>
              runOrchestratorPass(orchestrator(ctx, config, lifecycle, holder, options)),
            );
            if (options.json) printJson(report, ctx.io.stdout);
            else ctx.io.stdout(formatPass(report));
          },
        );
      } finally {
        await database.close();
      }
    });
}

function orchestrator(
  ctx: CliContext,
  config: Config,
  lifecycle: {
    readonly inbox: OrchestratorDeps["inbox"];
    readonly tasks: Pick<Lifecycle["tasks"], "setting">;
  },
  holder: string,
  options: Options,
): OrchestratorDeps {
  const o = config.orchestrator;
  const pause = options.pauseAfterDeliverMs ?? 0;
  return {
    inbox: lifecycle.inbox,
    setting: () => lifecycle.tasks.setting("orchestrate"),
    rules: { reviewRequired: o.review_required, retryFailedCompletions: o.retry_failed_completions },
    holder,
    leaseMs: o.delivery_lease_seconds * 1000,
    batchSize: o.batch_size,
    ...(pause > 0
      ? {
          afterDeliver: async (items) => {
            ctx.io.stderr(
              `delivered ${items.length} item(s): ${items.map((i) => i.id).join(",")}; pausing ${pause} ms\n`,
            );
            await new Promise((resolve) => setTimeout(resolve, pause));
          },
        }
      : {}),
  };
}

function formatPass(report: PassReport): string {
  if (report.status === "paused") {
    const s = report.setting;
    return `orchestrate is paused${s.changedBy ? ` by ${s.changedBy}` : ""}${s.reason ? `: ${s.reason}` : ""}; nothing delivered (mctl maintenance resume orchestrate)\n`;
  }
  const count = (outcome: string) => report.outcomes.filter((o) => o.outcome === outcome).length;
  const table = report.outcomes.length
    ? `${formatTable(
        ["item", "kind", "ticket", "outcome", "decision", "detail"],
        report.outcomes.map((o) => [o.item, o.kind, o.ticket, o.outcome, o.decision, o.detail]),
      )}\n`
    : "";
  return `${table}orchestrate: delivered ${report.delivered}, acted ${count("acted")}, handed over ${count("handed_over")}, already acted ${count("replayed")}, refused ${count("refused")}\n`;
}
