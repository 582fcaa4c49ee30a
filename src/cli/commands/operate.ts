import { Command, Option } from "commander";
import { z } from "zod";
import { ALERT_STATUSES } from "../../domain/alerts.js";
import { type OperatorReport, runOperatorPass } from "../../operator/pass.js";
import { snapshotReader } from "../../operator/snapshot.js";
import { operatorThresholdsFrom } from "../../operator/thresholds.js";
import type { CliContext } from "../context.js";
import { formatTable, printJson } from "../output.js";
import { parseOptions } from "../parse.js";

export function operateCommand(ctx: CliContext): Command {
  const operate = new Command("operate")
    .description("check health, raise and resolve alerts (never changes a ticket or a task setting)")
    .option("--json", "print the findings and alert changes as JSON")
    .action(async (raw: Record<string, unknown>) => {
      const options = parseOptions(z.object({ json: z.boolean().optional() }), raw);
      const config = await ctx.config();
      const report = await ctx.withDatabase(({ lifecycle, handle }) =>
        // The operator gets a read-only snapshot reader and the alert port; nothing else of the lifecycle.
        runOperatorPass({
          reader: snapshotReader(handle.db),
          port: { recordPass: lifecycle.alerts.recordPass },
          now: () => lifecycle.clock.now(),
          thresholds: operatorThresholdsFrom(config),
        }),
      );
      if (options.json) return printJson(report, ctx.io.stdout);
      ctx.io.stdout(formatReport(report));
    });

  operate
    .command("alerts")
    .description("alerts, most recently seen first")
    .addOption(new Option("--status <status>", "only open or resolved alerts").choices(ALERT_STATUSES))
    .option("--limit <n>", "at most this many (1–1000)", "100")
    .option("--json", "print JSON")
    .action(async (_raw: Record<string, unknown>, command: Command) => {
      // `operate` has its own --json, which commander gives the parent: read both levels.
      const raw = command.optsWithGlobals();
      const options = parseOptions(
        z.object({
          status: z.enum(ALERT_STATUSES).optional(),
          limit: z.coerce.number().int().min(1).max(1000),
          json: z.boolean().optional(),
        }),
        raw,
      );
      await ctx.withDatabase(async ({ lifecycle }) => {
        const alerts = await lifecycle.alerts.list({ status: options.status, limit: options.limit });
        if (options.json) return printJson(alerts, ctx.io.stdout);
        if (!alerts.length) return ctx.io.stdout("no alerts\n");
        ctx.io.stdout(
          `${formatTable(
            ["id", "status", "fingerprint", "recurrence", "seen", "last seen", "message"],
            alerts.map((a) => [
              a.id,
              a.status,
              a.fingerprint,
              a.recurrence,
              a.seenCount,
              a.lastSeenAt,
              a.message,
            ]),
          )}\n`,
        );
      });
    });
  return operate;
}

function formatReport(report: OperatorReport): string {
  if (report.status === "paused") {
    const s = report.setting;
    return `operate is paused${s.changedBy ? ` by ${s.changedBy}` : ""}${s.reason ? `: ${s.reason}` : ""}; nothing checked (mctl maintenance resume operate)\n`;
  }
  const parts: string[] = [];
  if (report.findings.length)
    parts.push(
      `${formatTable(
        ["condition", "subject", "severity", "finding"],
        report.findings.map((f) => [f.condition, f.subject, f.severity, f.message]),
      )}\n`,
    );
  if (report.changes.length)
    parts.push(
      `${formatTable(
        ["alert", "change", "fingerprint", "recurrence", "seen"],
        report.changes.map((c) => [c.alertId, c.change, c.fingerprint, c.recurrence, c.seenCount]),
      )}\n`,
    );
  const count = (change: string) => report.changes.filter((c) => c.change === change).length;
  const filed = report.filed.filter((f) => f.created).length;
  parts.push(
    `operate: ${report.findings.length} finding(s); alerts opened ${count("opened")}, updated ${count("updated")}, reopened ${count("reopened")}, resolved ${count("resolved")}; inbox items filed ${filed}\n`,
  );
  return parts.join("\n");
}
