import { Command } from "commander";
import { verifierSettingsFrom } from "../../config/durations.js";
import { readGitHubEnvironment } from "../../config/github.js";
import type { EvidenceVerdictRow } from "../../db/schema.js";
import type { Criterion } from "../../evidence/types.js";
import { TicketKeySchema } from "../../lifecycle/schemas.js";
import type { CliContext, DatabaseSession } from "../context.js";
import { CliError, EXIT_USAGE } from "../errors.js";
import { formatTable, printJson } from "../output.js";

const noop = () => undefined;

/** `mctl evidence verify` exits 4 when the verdict is pending (0 pass, 1 fail): scripts can tell them apart. */
export const EXIT_PENDING = 4;

export function evidenceCommand(ctx: CliContext): Command {
  const evidence = new Command("evidence").description(
    "verify a ticket's completion evidence against GitHub and show verdicts",
  );

  evidence
    .command("verify")
    .description(
      "verify a verifying ticket's evidence against GitHub now (exit 0 pass, 1 fail, 4 pending); needs GITHUB_TOKEN",
    )
    .argument("<key>", "ticket key, e.g. MC-42")
    .option("--attempt <id>", "verify this attempt's evidence (default: the ticket's current attempt)")
    .option("--json", "print the evaluation as JSON")
    .action(async (key: string, options: { attempt?: string; json?: boolean }) => {
      const ticketKey = parseKey(key);
      const config = await ctx.config();
      const github = readGitHub(ctx.processEnv);
      if (!github.token)
        throw new CliError("GITHUB_TOKEN is not set: the verifier reads GitHub with it", EXIT_USAGE);
      // Octokit and the verifier are loaded only by the command that uses them.
      const [{ githubClient }, { createVerifier }, { databaseHttpCache }] = await Promise.all([
        import("../../github/client.js"),
        import("../../evidence/verifier.js"),
        import("../../evidence/http-cache.js"),
      ]);
      const octokit = await githubClient({
        baseUrl: github.apiUrl,
        token: github.token,
        userAgent: "mission-control-mctl",
        warn: (message) => ctx.io.stderr(`mctl: ${message}\n`),
        // Failed reads (and 304s, which Octokit logs as errors) are reported in the verdict instead.
        log: {
          debug: noop,
          info: noop,
          warn: (message: string) => ctx.io.stderr(`${message}\n`),
          error: noop,
        },
      });
      await ctx.withDatabase(async ({ lifecycle, store }) => {
        const verifier = createVerifier({
          lifecycle,
          octokit,
          cache: databaseHttpCache(store.httpCache),
          ...verifierSettingsFrom(config),
        });
        const result = await verifier.verifyTicket({
          ticket: ticketKey,
          ...(options.attempt ? { attemptId: options.attempt } : {}),
        });
        if (!result.ok) throw new CliError(`${result.code}: ${result.message}`);
        const { evaluation } = result;
        if (options.json) printJson(evaluation, ctx.io.stdout);
        else {
          ctx.io.stdout(
            `${evaluation.ticket} ${evaluation.sha?.slice(0, 7) ?? "(no commit)"}: ${evaluation.verdict.summary}\n`,
          );
          ctx.io.stdout(`${criteriaTable(evaluation.verdict.criteria)}\n`);
          ctx.io.stdout(`ticket: ${evaluation.stored.ticketOutcome}\n`);
          const publication = evaluation.publication;
          if (publication)
            ctx.io.stdout(
              publication.ok
                ? `check run ${publication.checkRunId} ${publication.created ? "created" : "updated"}\n`
                : `check run not published: ${publication.message}\n`,
            );
          const { requests, notModified, retries } = evaluation.stats;
          ctx.io.stdout(
            `github: ${requests} requests, ${notModified} not modified (304), ${retries} retried\n`,
          );
        }
        if (evaluation.verdict.status === "fail")
          throw new CliError(`verdict fail: ${failing(evaluation.verdict.criteria)}`, 1);
        if (evaluation.verdict.status === "pending")
          throw new CliError(`verdict pending: ${pendingList(evaluation.verdict.criteria)}`, EXIT_PENDING);
      });
    });

  evidence
    .command("show")
    .description("show a ticket's verdicts (latest first with its criteria, then the history)")
    .argument("<key>", "ticket key, e.g. MC-42")
    .option("--json", "print JSON: the verdict history and decision requests")
    .action(async (key: string, options: { json?: boolean }) => {
      const ticketKey = parseKey(key);
      await ctx.withDatabase(async (session) => {
        const ticket = await requireTicket(session, ticketKey);
        const verdicts = await session.lifecycle.evidence.verdictsOf(ticket.id);
        const decisionRequests = await session.lifecycle.evidence.decisionRequestsOf(ticket.id);
        if (options.json)
          return printJson(
            { ticket: ticket.key, state: ticket.state, verdicts, decisionRequests },
            ctx.io.stdout,
          );
        const latest = verdicts.at(-1);
        if (!latest) return ctx.io.stdout(`${ticket.key} (${ticket.state}): no verdicts yet\n`);
        ctx.io.stdout(
          `${ticket.key} (${ticket.state}) ${latest.sha?.slice(0, 7) ?? "(no commit)"}: ${latest.summary}\n`,
        );
        ctx.io.stdout(`${criteriaTable(latest.criteria as Criterion[])}\n`);
        if (latest.pendingSince) ctx.io.stdout(`pending since ${latest.pendingSince.toISOString()}\n`);
        if (latest.publishError) ctx.io.stdout(`check run not published: ${latest.publishError}\n`);
        ctx.io.stdout(`\nhistory:\n${historyTable(verdicts)}\n`);
        for (const request of decisionRequests)
          ctx.io.stdout(`decision request ${request.id}: ${request.status} (verdict ${request.verdictId})\n`);
      });
    });

  return evidence;
}

/** GITHUB_TOKEN and GITHUB_API_URL, read here at the command's composition root (as `mctl dispatch` does). */
function readGitHub(env: Readonly<Record<string, string | undefined>>) {
  try {
    return readGitHubEnvironment(env);
  } catch (error) {
    throw new CliError(`configuration: ${(error as Error).message}`, EXIT_USAGE, { cause: error });
  }
}

function parseKey(key: string): string {
  const parsed = TicketKeySchema.safeParse(key);
  if (!parsed.success) throw new CliError(parsed.error.issues[0]?.message ?? "bad ticket key", EXIT_USAGE);
  return parsed.data;
}

async function requireTicket(session: DatabaseSession, key: string) {
  const row = await session.lifecycle.findTicket(key);
  if (!row) throw new CliError(`no ticket ${key}`);
  return row;
}

function criteriaTable(criteria: readonly Criterion[]): string {
  return formatTable(
    ["criterion", "result", "reason", "detail", "link"],
    criteria.map((c) => [c.title, c.status, c.reason, c.message, c.url]),
  );
}

function historyTable(verdicts: readonly EvidenceVerdictRow[]): string {
  return formatTable(
    ["id", "evaluated", "sha", "status", "ticket", "checks", "check run"],
    verdicts.map((v) => [
      v.id,
      v.evaluatedAt,
      v.sha?.slice(0, 7),
      v.status,
      v.ticketOutcome,
      v.checks,
      v.checkRunId,
    ]),
  );
}

const failing = (criteria: readonly Criterion[]) =>
  criteria
    .filter((c) => c.status === "fail")
    .map((c) => `${c.id} (${c.reason})`)
    .join(", ");

const pendingList = (criteria: readonly Criterion[]) =>
  criteria
    .filter((c) => c.status === "pending")
    .map((c) => `${c.id} (${c.reason})`)
    .join(", ");
