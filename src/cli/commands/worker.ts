import path from "node:path";
import { Command, Option } from "commander";
import { z } from "zod";
import { ActionsIdTokenError, requestActionsIdToken } from "../../actions/id-token.js";
import { attemptPolicyFrom } from "../../config/durations.js";
import { TicketKeySchema } from "../../lifecycle/schemas.js";
import { type RunReport, runWorker } from "../../worker/runner.js";
import { redactDeep, redactSecrets } from "../../domain/redact.js";
import { resolveSandboxUser, SandboxError } from "../../worker/sandbox.js";
import { runnerSettingsFrom } from "../../worker/settings.js";
import { createWorkerStore } from "../../worker/store.js";
import { type IdTokenSource, prepareAttempt, RemoteWorkerError, reportAttempt } from "../../worker/remote.js";
import type { CliContext } from "../context.js";
import { CliError, EXIT_DATABASE, EXIT_USAGE } from "../errors.js";
import { printJson } from "../output.js";
import { parseOptions } from "../parse.js";

const RunOptions = z.object({
  attempt: z.uuid("must be an attempt id (a UUID)"),
  launchKey: z.string().trim().min(1).optional(),
  ticket: TicketKeySchema.optional(),
  repo: z.string().trim().min(1).optional(),
  json: z.boolean().optional(),
});

const Via = z.url({ protocol: /^https?$/, error: "must be the app's http(s) URL" });
/** How long a call waits out the app being away (`--retry-for`, seconds; 0: no retry). */
const RetryFor = z.coerce
  .number()
  .int()
  .min(0)
  .max(6 * 3600);
const PrepareOptions = z.object({
  via: Via,
  retryFor: RetryFor,
  attempt: z.uuid("must be an attempt id (a UUID)"),
  launchKey: z.string().trim().min(1, "must not be empty"),
  out: z.string().trim().min(1).default("mission-control"),
  json: z.boolean().optional(),
});
const ReportOptions = z.object({
  via: Via,
  retryFor: RetryFor,
  attempt: z.uuid("must be an attempt id (a UUID)"),
  outcome: z.string().trim().min(1),
  prepared: z.string().trim().min(1).optional(),
  repo: z.string().trim().min(1).optional(),
  remote: z.string().trim().min(1).default("origin"),
  pullRequest: z.coerce.number().int().positive().optional(),
  draftPullRequest: z.boolean().optional(),
  base: z.string().trim().min(1).optional(),
  json: z.boolean().optional(),
});

/** The job's GitHub Actions OIDC token for `audience` (the job needs `permissions: id-token: write`). */
function actionsIdToken(env: Readonly<Record<string, string | undefined>>): IdTokenSource {
  return (audience) => requestActionsIdToken({ audience, env });
}

/** The app's client for the remote halves: the job's token, retrying through an outage for `retryFor` seconds. */
function apiClient(ctx: CliContext, options: { via: string; retryFor: number }) {
  return {
    via: options.via,
    idToken: actionsIdToken(ctx.processEnv),
    ...(options.retryFor > 0
      ? {
          retry: {
            forMs: options.retryFor * 1000,
            log: (line: string) => ctx.io.stderr(`mctl worker: ${line}\n`),
          },
        }
      : {}),
  };
}

/** The default of `--retry-for`: long enough for an app restart or a database failover. */
const DEFAULT_RETRY_FOR_SECONDS = "600";
const RETRY_FOR_HELP =
  "wait out the app being away (502/503/504, 429, no answer) this many seconds per call, with back-off; 0: no retry. A refusal (4xx) is never retried";

/** A remote call's failure as one line (exit 1; exit 3 when the app stayed away for --retry-for). */
async function remote<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof RemoteWorkerError)
      throw new CliError(error.message, error.code === "unavailable" ? EXIT_DATABASE : 1, {
        code: error.code,
      });
    if (error instanceof ActionsIdTokenError) throw new CliError(error.message, 1, { code: "id_token" });
    throw error;
  }
}

export function workerCommand(ctx: CliContext): Command {
  const worker = new Command("worker").description(
    "run coding agents on claimed tickets (the worker runner)",
  );

  worker
    .command("run")
    .description(
      "run the agent of one attempt in the ticket's isolated git worktree, keep its lease alive, " +
        "and report its end with evidence collected from git",
    )
    .requiredOption("--attempt <id>", "the attempt to run (it must be launching)")
    .addOption(
      new Option("--launch-key <key>", "the launch key the dispatcher gave (default: the attempt's own)").env(
        "MCTL_LAUNCH_KEY",
      ),
    )
    .option("--ticket <key>", "refuse unless the attempt belongs to this ticket")
    .option("--repo <path>", "the repository to make the worktree from (default: the current directory)")
    .option("--json", "print the final report as JSON on stdout (the agent's stdout then goes to stderr)")
    .argument(
      "[agent...]",
      "the agent command after `--` (default: worker.agent_command in the configuration)",
    )
    .addHelpText(
      "after",
      "\nThe agent command may use the placeholders {ticket}, {attempt} and {ticket_file}; it runs with\n" +
        "MCTL_TICKET, MCTL_ATTEMPT, MCTL_TICKET_FILE (a Markdown brief), MCTL_BRANCH, MCTL_SIGNAL_URL and\n" +
        "MCTL_SIGNAL_TOKEN in its environment (and without DATABASE_URL). With worker.sandbox it runs as\n" +
        "that OS user with only the variables of worker.agent_env (the runner must be root).\n\n" +
        "Exit codes: 0 completion claimed (ticket verifying) or question asked (needs_input);\n" +
        "1 not started (duplicate or stale launch), failed, lease lost, or report refused;\n" +
        "2 bad command line or configuration; 3 database unavailable (an agent's end that found the\n" +
        "database away is retried with back-off until the attempt's lease runs out: unreported).\n\n" +
        "Example:\n  mctl worker run --attempt 6f1c…e2 -- claude -p @{ticket_file}\n",
    )
    .action(async (agent: string[], raw: Record<string, unknown>) => {
      const options = parseOptions(RunOptions, raw);
      const config = await ctx.config();
      const agentCommand = agent.length ? agent : config.worker.agent_command;
      if (!agentCommand?.length) {
        throw new CliError(
          "no agent command: give one after `--`, or set worker.agent_command in the configuration",
          EXIT_USAGE,
        );
      }
      const environment = ctx.environment();
      const store = createWorkerStore(
        (work) => ctx.withDatabase(({ lifecycle }) => work(lifecycle)),
        attemptPolicyFrom(config.dispatch),
      );
      // Its lines quote the agent (a failure reason, a question): masked like the agent's output.
      const info = (line: string) => ctx.io.stderr(`mctl worker: ${redactSecrets(line)}\n`);
      const settings = runnerSettingsFrom(config.worker);
      if (settings.heartbeatMs >= config.dispatch.attempt_lease_seconds * 1000) {
        info(
          `warning: worker.heartbeat_seconds (${config.worker.heartbeat_seconds}) is not shorter than ` +
            `dispatch.attempt_lease_seconds (${config.dispatch.attempt_lease_seconds}): the lease will run out between heartbeats`,
        );
      }
      // Trusted or sandboxed, said before anything starts; a sandbox that cannot be had starts nothing.
      const sandbox = await sandboxFor(config.worker.sandbox?.user);
      info(
        sandbox
          ? `the agent is sandboxed: it runs as ${sandbox.user.name} (uid ${sandbox.user.uid}) with an allow-listed environment`
          : "the agent is trusted: it runs as the runner's user with the runner's environment (minus DATABASE_URL); set worker.sandbox to run it as another user",
      );
      const interrupt = new AbortController();
      const onSignal = () => interrupt.abort();
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      let report: RunReport;
      try {
        report = await runWorker({
          attemptId: options.attempt,
          launchKey: options.launchKey,
          ticket: options.ticket,
          repo: path.resolve(environment.cwd, options.repo ?? "."),
          agentCommand,
          settings,
          sandbox,
          baseEnv: { ...ctx.processEnv },
          store,
          output: {
            agentStdout: options.json ? ctx.io.stderr : ctx.io.stdout,
            agentStderr: ctx.io.stderr,
            info,
          },
          interrupt: interrupt.signal,
        });
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
      if (options.json) printJson(redactDeep(report), ctx.io.stdout);
      try {
        finish(report, info, options.json ? () => {} : (text) => ctx.io.stdout(redactSecrets(text)));
      } catch (error) {
        if (error instanceof CliError)
          throw new CliError(redactSecrets(error.message), error.exitCode, { code: error.code });
        throw error;
      }
    });

  worker
    .command("prepare")
    .description(
      "the agent workflow's first job: start the attempt through the app (with the job's OIDC token) " +
        "and write the brief, the base commit and the branch for the agent job",
    )
    .requiredOption("--via <url>", "the app's URL (also the token's audience)")
    .requiredOption("--attempt <id>", "the attempt to start (it must be launching)")
    .addOption(
      new Option("--launch-key <key>", "the launch key the dispatcher gave")
        .env("MCTL_LAUNCH_KEY")
        .makeOptionMandatory(),
    )
    .option("--out <dir>", "where to write brief.md, base_sha, branch and attempt.json", "mission-control")
    .option("--retry-for <seconds>", RETRY_FOR_HELP, DEFAULT_RETRY_FOR_SECONDS)
    .option("--json", "print what was written as JSON")
    .action(async (raw: Record<string, unknown>) => {
      const options = parseOptions(PrepareOptions, raw);
      const out = path.resolve(ctx.environment().cwd, options.out);
      const prepared = await remote(() =>
        prepareAttempt(apiClient(ctx, options), {
          attemptId: options.attempt,
          launchKey: options.launchKey,
          outDir: out,
        }),
      );
      if (options.json) printJson(prepared, ctx.io.stdout);
      else
        ctx.io.stdout(
          `started attempt ${prepared.attempt} of ${prepared.ticket} (${prepared.repository}) on ${prepared.base_sha}, branch ${prepared.branch}; wrote ${out}\n`,
        );
    });

  worker
    .command("report")
    .description(
      "the agent workflow's last job: report the agent job's outcome through the app (question.txt → " +
        "needs input, failure.txt → fail, else push commits.bundle to the ticket branch and complete)",
    )
    .requiredOption("--via <url>", "the app's URL (also the token's audience)")
    .requiredOption("--attempt <id>", "the attempt prepare started")
    .requiredOption("--outcome <dir>", "the agent job's outcome directory")
    .option("--prepared <dir>", "prepare's directory (default: the outcome directory)")
    .option("--repo <path>", "the checkout to push from (default: the current directory)")
    .option("--remote <name>", "the remote to push the ticket branch to", "origin")
    .option("--pull-request <number>", "the pull request opened for the branch, if any")
    .option(
      "--draft-pull-request",
      "open (or reuse) a draft pull request for the branch with the push token, against --base, " +
        "on $GITHUB_API_URL (default https://api.github.com)",
    )
    .option("--base <branch>", "the pull request's base (default: the workflow's branch, from $GITHUB_REF)")
    .option("--retry-for <seconds>", RETRY_FOR_HELP, DEFAULT_RETRY_FOR_SECONDS)
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      "\nExit codes: 0 reported; 1 refused or failed; 2 bad command line; 3 the app stayed unavailable\n" +
        "for --retry-for seconds (code unavailable: nothing was recorded; run the report again).\n",
    )
    .action(async (raw: Record<string, unknown>) => {
      const options = parseOptions(ReportOptions, raw);
      const cwd = ctx.environment().cwd;
      const env = ctx.processEnv;
      const base = options.base ?? env.GITHUB_REF?.match(/^refs\/heads\/(.+)$/)?.[1];
      if (options.draftPullRequest && base === undefined)
        throw new CliError(
          "--draft-pull-request needs --base <branch> (or $GITHUB_REF naming a branch)",
          EXIT_USAGE,
        );
      const draft =
        options.draftPullRequest && base !== undefined
          ? { apiUrl: env.GITHUB_API_URL || "https://api.github.com", base }
          : undefined;
      const result = await remote(() =>
        reportAttempt(apiClient(ctx, options), {
          attemptId: options.attempt,
          outcomeDir: path.resolve(cwd, options.outcome),
          ...(options.prepared ? { preparedDir: path.resolve(cwd, options.prepared) } : {}),
          repo: path.resolve(cwd, options.repo ?? "."),
          remote: options.remote,
          ...(options.pullRequest === undefined ? {} : { pullRequest: options.pullRequest }),
          ...(draft ? { draftPullRequest: draft } : {}),
          env: ctx.processEnv,
        }),
      );
      if (options.json) return printJson(result, ctx.io.stdout);
      if (result.result === "completed")
        ctx.io.stdout(
          `completed ${result.ticket}: pushed ${result.commitSha} to ${result.branch}` +
            `${result.pullRequest === null ? "" : ` (pull request #${result.pullRequest})`}; the ticket is ${result.state}\n`,
        );
      else if (result.result === "needs_input")
        ctx.io.stdout(`${result.ticket} needs input: ${result.question}\n`);
      else ctx.io.stdout(`${result.ticket} failed: ${result.reason}\n`);
    });

  return worker;
}

/** The resolved sandbox of `worker.sandbox.user`, or undefined; refused with a usage error. */
async function sandboxFor(user: string | undefined) {
  if (user === undefined) return undefined;
  const runnerUid = process.getuid?.();
  try {
    const resolved = await resolveSandboxUser(user, runnerUid);
    return { user: resolved, owner: { uid: runnerUid ?? 0, gid: process.getgid?.() ?? 0 } };
  } catch (error) {
    if (error instanceof SandboxError) throw new CliError(`refusing to start: ${error.message}`, EXIT_USAGE);
    throw error;
  }
}

/** Says how the run ended, and turns anything but a completion or a question into exit code 1. */
function finish(report: RunReport, info: (line: string) => void, out: (text: string) => void): void {
  if (report.result === "not_started") {
    throw new CliError(`not started: ${report.code}: ${report.message}`);
  }
  const where = report.log;
  if (where?.stored === "attempt") info("the agent's output is kept in the attempt's outcome (log)");
  else if (where?.stored === "file") info(`the agent's output is kept in ${where.path} (${where.why})`);
  else if (where) info(`the agent's output could not be kept: ${where.why}`);
  switch (report.result) {
    case "completed":
      out(
        `completed ${report.ticket}: commit ${report.evidence.commitSha} on ${report.evidence.branch}, ` +
          `pushed to ${report.evidence.remote.name}, tests ${report.evidence.tests.status}; the ticket is verifying\n`,
      );
      return;
    case "needs_input":
      out(`${report.ticket} needs input: ${report.question}\n`);
      return;
    case "failed":
      throw new CliError(`attempt failed: ${report.reason}: ${report.message}`);
    case "lost":
      throw new CliError(`lease lost, the agent was stopped and nothing was reported: ${report.message}`);
    case "refused":
      throw new CliError(`the attempt's end was refused (${report.code}): ${report.message}`);
    case "unreported":
      throw new CliError(
        `the agent's end (${report.outcome}) was not recorded: ${report.message}; the dispatcher will count the attempt lost and retry the ticket`,
        EXIT_DATABASE,
        { code: "unreported" },
      );
  }
}
