import { Command } from "commander";
import { z } from "zod";
import { TASKS, TaskSettingNameSchema } from "../../domain/tasks.js";
import type { CliContext } from "../context.js";
import { formatTable, printJson } from "../output.js";
import { failureToCliError, parseOptions } from "../parse.js";

const ChangeOptions = z.object({
  task: TaskSettingNameSchema,
  actor: z.string().trim().min(1, "name the person making the change").max(200),
  reason: z.string().trim().min(1, "say why").max(500),
  json: z.boolean().optional(),
});

/**
 * Maintenance actions: the only way a task setting changes (never the operator, never
 * configuration). The actor is explicit and required; every change is an event.
 */
export function maintenanceCommand(ctx: CliContext): Command {
  const maintenance = new Command("maintenance").description(
    "pause or resume a task (dispatch, operate, orchestrate) as a maintenance action",
  );
  for (const action of ["pause", "resume"] as const) {
    maintenance
      .command(action)
      .description(`${action} a task; recorded as an event with the actor and reason`)
      .argument("<task>", `${TASKS.join(" | ")} | dispatch:<owner>`)
      .requiredOption("--actor <name>", "the person making the change (required, recorded in the event)")
      .requiredOption("--reason <text>", "why (required, recorded in the event)")
      .option("--json", "print the setting and the event as JSON")
      .action(async (task: string, raw: Record<string, unknown>) => {
        const options = parseOptions(ChangeOptions, { ...raw, task });
        await ctx.withDatabase(async ({ lifecycle }) => {
          const result = await lifecycle.tasks.setEnabled({
            task: options.task,
            enabled: action === "resume",
            actor: { kind: "human", id: options.actor },
            reason: options.reason,
          });
          if (!result.ok) throw failureToCliError(result);
          if (options.json) return printJson(result, ctx.io.stdout);
          const state = result.setting.enabled ? "enabled" : "paused";
          ctx.io.stdout(
            result.changed
              ? `${options.task} ${action === "pause" ? "paused" : "resumed"} by ${options.actor}: ${options.reason}\n`
              : `${options.task} is already ${state}; nothing changed\n`,
          );
        });
      });
  }
  maintenance
    .command("status")
    .description("the enabled flag of every task and the latest maintenance events")
    .option("--limit <n>", "events to show (1–500)", "10")
    .option("--json", "print JSON")
    .action(async (raw: Record<string, unknown>) => {
      const options = parseOptions(
        z.object({ limit: z.coerce.number().int().min(1).max(500), json: z.boolean().optional() }),
        raw,
      );
      await ctx.withDatabase(async ({ lifecycle }) => {
        const settings = await lifecycle.tasks.settings();
        const events = await lifecycle.tasks.history(options.limit);
        if (options.json) return printJson({ settings, events }, ctx.io.stdout);
        ctx.io.stdout(
          `${formatTable(
            ["task", "state", "changed by", "reason", "since"],
            settings.map((s) => [
              s.task,
              s.enabled ? "enabled" : "paused",
              s.changedBy,
              s.reason,
              s.changedAt,
            ]),
          )}\n`,
        );
        if (events.length)
          ctx.io.stdout(
            `\n${formatTable(
              ["at", "task", "change", "actor", "reason"],
              events.map((e) => [
                e.createdAt,
                e.task,
                e.enabled ? "resumed" : "paused",
                `${e.actorKind}:${e.actorId}`,
                e.reason,
              ]),
            )}\n`,
          );
      });
    });
  return maintenance;
}
