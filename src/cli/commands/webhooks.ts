import { Command } from "commander";
import { z } from "zod";
import type { Octokit } from "@octokit/rest";
import { variableIssueInWords } from "../../config/issue-words.js";
import { systemClock } from "../../lifecycle/index.js";
import type { CliContext } from "../context.js";
import { CliError, EXIT_USAGE } from "../errors.js";
import { formatTable, printJson } from "../output.js";

const AppEnvironment = z.object({
  APP_ID: z.coerce
    .number({ error: "must be a number (the GitHub App's id)" })
    .int({ error: "must be a number (the GitHub App's id)" })
    .positive({ error: "must be a number (the GitHub App's id)" }),
  PRIVATE_KEY: z.string().trim().min(1, "must be the GitHub App's private key (PEM)"),
  GITHUB_API_URL: z.url().default("https://api.github.com"),
});

/** `mctl webhooks redeliver`: asks GitHub again for the app's failed deliveries it never recorded. */
export function webhooksCommand(ctx: CliContext): Command {
  const webhooks = new Command("webhooks").description("the GitHub App's webhook deliveries");
  webhooks
    .command("redeliver")
    .description(
      "list the app's failed deliveries (GET /app/hook/deliveries) and redeliver those the app has not recorded (or whose handler died: still received after app.delivery_lease_seconds); needs APP_ID and PRIVATE_KEY",
    )
    .option("--dry-run", "only show what would be redelivered")
    .option("--limit <n>", "deliveries to look at, newest first", "500")
    .option("--json", "print the decisions as JSON")
    .action(async (options: { dryRun?: boolean; limit: string; json?: boolean }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new CliError("--limit must be a positive integer", EXIT_USAGE);
      const appOctokit = await appClient(ctx.processEnv, (line) => ctx.io.stderr(line));
      // Probot and the app are loaded only by the command that uses them (an mctl start-up stays small).
      const { redeliverMissed } = await import("../../app/redeliver.js");
      const deliveryLeaseMs = (await ctx.config()).app.delivery_lease_seconds * 1000;
      const decisions = await ctx.withDatabase(({ store }) =>
        redeliverMissed(
          { deliveries: store.deliveries, clock: systemClock, appOctokit },
          { dryRun: options.dryRun === true, limit, deliveryLeaseMs },
        ),
      );
      if (options.json) return printJson({ dryRun: options.dryRun === true, decisions }, ctx.io.stdout);
      const rows = decisions.map((d) => [
        d.guid,
        d.event,
        String(d.id),
        d.decision === "skip" ? `skip (${d.reason})` : options.dryRun ? "would redeliver" : "redelivered",
      ]);
      ctx.io.stdout(
        rows.length
          ? `${formatTable(["guid", "event", "delivery", "decision"], rows)}\n`
          : "no failed deliveries\n",
      );
    });
  return webhooks;
}

async function appClient(
  env: Readonly<Record<string, string | undefined>>,
  stderr: (line: string) => void,
): Promise<Octokit> {
  const parsed = AppEnvironment.safeParse({
    APP_ID: env.APP_ID || undefined,
    PRIVATE_KEY: env.PRIVATE_KEY?.replace(/\\n/g, "\n") || undefined,
    GITHUB_API_URL: env.GITHUB_API_URL || undefined,
  });
  if (!parsed.success) {
    throw new CliError(`configuration: ${variableIssueInWords(parsed.error, AppEnvironment)}`, EXIT_USAGE, {
      cause: parsed.error,
    });
  }
  const { APP_ID, PRIVATE_KEY, GITHUB_API_URL } = parsed.data;
  const [{ ProbotOctokit }, { probotOctokitDefaults }] = await Promise.all([
    import("probot"),
    import("../../github/client.js"),
  ]);
  const Client = ProbotOctokit.defaults(
    probotOctokitDefaults({ warn: (message) => stderr(`mctl: ${message}\n`) }),
  );
  return new Client({
    baseUrl: GITHUB_API_URL.replace(/\/$/, ""),
    auth: { appId: APP_ID, privateKey: PRIVATE_KEY },
  }) as unknown as Octokit;
}
