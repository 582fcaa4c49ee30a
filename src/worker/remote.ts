/**
 * The runner's halves for the three-job agent workflow (prepare → agent → report), talking to the
 * app's attempt API (src/app/api/attempts.ts) with the job's GitHub Actions OIDC token; no database
 * credential and no push credential ever reaches the agent's job.
 *
 * - prepare: `start` the attempt, then write the brief, the base commit and the branch to a
 *   directory (the artifact the agent job downloads).
 * - report: read what the agent job left: `question.txt` → needs-input, `failure.txt` → fail, else
 *   `commits.bundle`, whose tip must descend from the base commit and differ from it → fetch a push
 *   token, push the ticket branch (the token reaches git through its environment only), complete.
 */

import { execFile } from "node:child_process";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { isTransientFailure } from "../db/errors.js";
import { CommitShaSchema, type CompletionEvidence } from "../domain/completion-evidence.js";
import { errorMessage, firstLine } from "../domain/error-message.js";
import { describeDuration, outageDurationMs, retryThroughOutage } from "../domain/outage.js";
import { redactCredentials } from "./git-facts.js";

/** Requests the job's OIDC token for `audience` (src/actions/id-token.ts in a workflow). */
export type IdTokenSource = (audience: string) => Promise<string>;

export class RemoteWorkerError extends Error {
  override readonly name = "RemoteWorkerError";
  constructor(
    message: string,
    readonly code: string,
    options?: ErrorOptions & {
      /** The app's HTTP status, when it answered: 5xx and 429 are retried, any other is a refusal. */
      readonly status?: number | undefined;
    },
  ) {
    super(message, options);
    this.status = options?.status;
  }
  readonly status: number | undefined;
}

export interface ApiClient {
  readonly via: string;
  readonly idToken: IdTokenSource;
  /**
   * Wait out the app being away (it answers 502/503/504 or 429, or cannot be reached) for up to
   * `forMs` from the first failure of a call, with back-off and jitter; absent: no retry. A refusal
   * (any other 4xx, a conflict) is never retried.
   */
  readonly retry?: RemoteRetry;
}

export interface RemoteRetry {
  readonly forMs: number;
  /** One line for the person, said once when an outage begins and once when it ends. */
  readonly log: (line: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => Date;
}

/** Back-off between tries while the app is away: 1 s, doubled per failure, at most 30 s (jittered). */
const RETRY_BACKOFF = { baseMs: 1000, capMs: 30_000 };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `call`, retried through an outage of the app as `client.retry` says. */
async function call<S extends z.ZodType>(
  client: ApiClient,
  attemptId: string,
  action: string,
  body: unknown,
  schema: S,
): Promise<z.output<S>> {
  const retry = client.retry;
  if (!retry) return callOnce(client, attemptId, action, body, schema);
  const now = retry.now ?? (() => new Date());
  const base = client.via.replace(/\/+$/, "");
  let deadline: Date | null = null;
  let retried = false;
  try {
    const answered = await retryThroughOutage(() => callOnce(client, attemptId, action, body, schema), {
      transient: isTransientFailure,
      deadline: () => {
        deadline ??= new Date(now().getTime() + retry.forMs);
        return deadline;
      },
      now,
      sleep: retry.sleep ?? defaultSleep,
      random: retry.random ?? Math.random,
      backoff: RETRY_BACKOFF,
      describe: (error) => firstLine(errorMessage(error)),
      onOutage: (error, until) => {
        retried = true;
        retry.log(
          `${action}: the app is unavailable (${firstLine(errorMessage(error))}); trying again until ${until.toISOString()}`,
        );
      },
      onBack: (outage, at) =>
        retry.log(
          `${action}: the app answers again after ${outage.failures} failed tries (${describeDuration(outageDurationMs(outage, at))})`,
        ),
    });
    if (answered.ok) return answered.value;
    throw new RemoteWorkerError(
      `${action}: ${base} stayed unavailable for ${describeDuration(outageDurationMs(answered.outage, now()))} ` +
        `(${answered.outage.failures} tries, --retry-for ${Math.round(retry.forMs / 1000)} s); nothing was recorded: ${answered.outage.cause}`,
      "unavailable",
      { cause: answered.error },
    );
  } catch (error) {
    // An ending refused after an outage may be this very report's, answered while the app was away.
    if (retried && error instanceof RemoteWorkerError && error.code === "attempt_ended")
      throw new RemoteWorkerError(
        `${error.message} (an earlier try of this ${action} during the outage may have been recorded: see mctl ticket history)`,
        error.code,
        { status: error.status, cause: error },
      );
    throw error;
  }
}

const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** POSTs to the attempt API with a fresh token (audience: the app's URL); throws its error, in one line. */
async function callOnce<S extends z.ZodType>(
  client: ApiClient,
  attemptId: string,
  action: string,
  body: unknown,
  schema: S,
): Promise<z.output<S>> {
  const base = client.via.replace(/\/+$/, "");
  const token = await client.idToken(base);
  let res: Response;
  try {
    res = await fetch(`${base}/api/v1/attempts/${encodeURIComponent(attemptId)}/${action}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw new RemoteWorkerError(
      `${action}: cannot reach ${base}: ${(error as Error).message}`,
      "unreachable",
      { cause: error },
    );
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new RemoteWorkerError(`${action}: ${base} answered ${res.status} without JSON`, "bad_answer", {
      status: res.status,
    });
  }
  if (!res.ok) {
    const error = ErrorBody.safeParse(json);
    const detail = error.success
      ? `${error.data.error.code}: ${error.data.error.message}`
      : `status ${res.status}`;
    throw new RemoteWorkerError(
      `${action} refused (${res.status}) ${detail}`,
      error.success ? error.data.error.code : "refused",
      { status: res.status },
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new RemoteWorkerError(`${action}: unexpected answer from ${base}`, "bad_answer");
  return parsed.data;
}

const StartAnswer = z.object({
  attempt: z.object({ id: z.string(), number: z.number() }),
  ticket: z.object({
    key: z.string(),
    repository: z.string(),
    title: z.string(),
    issue_number: z.number().int().positive().nullable().optional(),
  }),
  base_sha: CommitShaSchema,
  branch: z.string().min(1),
  brief: z.string(),
});
const EndAnswer = z.object({
  attempt: z.object({ id: z.string(), status: z.string() }),
  ticket: z.object({ key: z.string(), state: z.string() }),
});
const PushTokenAnswer = z.object({
  token: z.string().min(1),
  expires_at: z.string(),
  branch: z.string().min(1),
  base_sha: z.string().nullable(),
});

/** What prepare writes (`attempt.json`, beside `brief.md`, `base_sha` and `branch`). */
const Prepared = z.object({
  attempt: z.string(),
  ticket: z.string(),
  repository: z.string(),
  base_sha: CommitShaSchema,
  branch: z.string().min(1),
  /** The ticket's title and issue, for the draft pull request (absent in artifacts of older versions). */
  title: z.string().optional(),
  issue_number: z.number().int().positive().nullable().optional(),
});
export type Prepared = z.infer<typeof Prepared>;

export async function prepareAttempt(
  client: ApiClient,
  input: { readonly attemptId: string; readonly launchKey: string; readonly outDir: string },
): Promise<Prepared & { readonly files: readonly string[] }> {
  const started = await call(client, input.attemptId, "start", { launch_key: input.launchKey }, StartAnswer);
  const prepared: Prepared = {
    attempt: started.attempt.id,
    ticket: started.ticket.key,
    repository: started.ticket.repository,
    base_sha: started.base_sha,
    branch: started.branch,
    title: started.ticket.title,
    issue_number: started.ticket.issue_number ?? null,
  };
  await mkdir(input.outDir, { recursive: true });
  const files: [string, string][] = [
    ["brief.md", started.brief],
    ["base_sha", `${started.base_sha}\n`],
    ["branch", `${started.branch}\n`],
    ["attempt.json", `${JSON.stringify(prepared, null, 2)}\n`],
  ];
  for (const [name, text] of files) await writeFile(path.join(input.outDir, name), text, "utf8");
  return { ...prepared, files: files.map(([name]) => path.join(input.outDir, name)) };
}

export type ReportResult =
  | { readonly result: "needs_input"; readonly ticket: string; readonly question: string }
  | { readonly result: "failed"; readonly ticket: string; readonly reason: string }
  | {
      readonly result: "completed";
      readonly ticket: string;
      readonly state: string;
      readonly commitSha: string;
      readonly branch: string;
      readonly pullRequest: number | null;
    };

export interface ReportInput {
  readonly attemptId: string;
  readonly outcomeDir: string;
  /** Where prepare's `attempt.json` is (default: the outcome directory). */
  readonly preparedDir?: string;
  /** The checkout to fetch the bundle into and push from. */
  readonly repo: string;
  /** The remote to push the ticket branch to (default `origin`). */
  readonly remote?: string;
  readonly pullRequest?: number;
  /**
   * Open (or reuse) a draft pull request for the ticket branch with the push token, which has
   * `pull_requests: write`: GitHub's REST API at `apiUrl`, against `base` (the default branch).
   */
  readonly draftPullRequest?: { readonly apiUrl: string; readonly base: string };
  /** The environment git runs with (the token is added to it, never to its command line). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

const MAX_TEXT = 4000;

export async function reportAttempt(client: ApiClient, input: ReportInput): Promise<ReportResult> {
  const prepared = await readPrepared(input.preparedDir ?? input.outcomeDir);
  if (prepared.attempt !== input.attemptId)
    throw new RemoteWorkerError(
      `the prepared artifact is of attempt ${prepared.attempt}, not ${input.attemptId}`,
      "wrong_artifact",
    );
  const question = await readText(path.join(input.outcomeDir, "question.txt"));
  if (question !== null) {
    const q = question.slice(0, MAX_TEXT);
    const ended = await call(client, input.attemptId, "needs-input", { question: q }, EndAnswer);
    return { result: "needs_input", ticket: ended.ticket.key, question: q };
  }
  const failure = await readText(path.join(input.outcomeDir, "failure.txt"));
  if (failure !== null) {
    const reason = failure.slice(0, 2000);
    const ended = await call(client, input.attemptId, "fail", { reason }, EndAnswer);
    return { result: "failed", ticket: ended.ticket.key, reason };
  }
  const bundle = path.resolve(input.outcomeDir, "commits.bundle");
  if (!(await exists(bundle)))
    throw new RemoteWorkerError(
      `the outcome ${input.outcomeDir} has no question.txt, failure.txt or commits.bundle`,
      "no_outcome",
    );
  const git = gitRunner(input.repo, input.env);
  const tip = await bundleTip(git, bundle, prepared.branch);
  if (tip === prepared.base_sha)
    throw new RemoteWorkerError(
      `the bundle's tip is the base commit ${tip}: nothing was committed`,
      "no_commits",
    );
  if (!(await git.ok(["merge-base", "--is-ancestor", prepared.base_sha, tip])))
    throw new RemoteWorkerError(
      `the bundle's tip ${tip} does not descend from the base commit ${prepared.base_sha}`,
      "not_descendant",
    );
  const remote = input.remote ?? "origin";
  const remoteUrl = await git.out(["remote", "get-url", remote]);
  const pushToken = await call(client, input.attemptId, "push-token", {}, PushTokenAnswer);
  // The prepared files passed through the agent's job: the app's own records decide where to push.
  if (pushToken.branch !== prepared.branch || pushToken.base_sha !== prepared.base_sha)
    throw new RemoteWorkerError(
      `the prepared artifact names branch ${prepared.branch} at ${prepared.base_sha}, but the attempt's are ${pushToken.branch} at ${pushToken.base_sha ?? "none"}: nothing pushed`,
      "wrong_artifact",
    );
  const authed = git.withHeader(
    `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${pushToken.token}`).toString("base64")}`,
  );
  // The ticket branch is ours: a later attempt starts again from the base, so the push replaces it.
  await authed.run(["push", "--porcelain", remote, `+${tip}:refs/heads/${prepared.branch}`]);
  const listed = await authed.out(["ls-remote", remote, `refs/heads/${prepared.branch}`]);
  const remoteSha = listed.split(/\s+/)[0] ?? "";
  if (remoteSha !== tip)
    throw new RemoteWorkerError(
      `the push did not land: ${remote} has ${remoteSha || "nothing"} for ${prepared.branch}`,
      "not_pushed",
    );
  const pullRequest =
    input.pullRequest ??
    (input.draftPullRequest
      ? await draftPullRequest(input.draftPullRequest, pushToken.token, prepared)
      : undefined);
  const agent = await readAgentFacts(input.outcomeDir);
  const evidence: CompletionEvidence = {
    version: 1,
    attemptId: input.attemptId,
    ticket: prepared.ticket,
    commitSha: tip,
    branch: prepared.branch,
    baseSha: prepared.base_sha,
    workingTreeClean: true,
    pushed: true,
    remote: { name: remote, url: redactCredentials(remoteUrl), sha: tip },
    tests: { status: "not_configured" },
    agent: { exitCode: 0, durationMs: agent.durationMs },
    collectedAt: new Date().toISOString(),
  };
  const ended = await call(
    client,
    input.attemptId,
    "complete",
    {
      commit_sha: tip,
      branch: prepared.branch,
      ...(pullRequest === undefined ? {} : { pull_request: pullRequest }),
      evidence,
    },
    EndAnswer,
  );
  return {
    result: "completed",
    ticket: ended.ticket.key,
    state: ended.ticket.state,
    commitSha: tip,
    branch: prepared.branch,
    pullRequest: pullRequest ?? null,
  };
}

const PullAnswer = z.object({ number: z.number().int().positive() });

/**
 * The ticket branch's open pull request, or a new draft titled with the ticket key whose body links
 * the issue (`Refs #N`: the ticket ends at `done` through the evidence, not by merging).
 */
async function draftPullRequest(
  target: { readonly apiUrl: string; readonly base: string },
  token: string,
  prepared: Prepared,
): Promise<number> {
  // The project's GitHub client: 5xx retried, rate limits waited out (src/github/client.ts).
  const { githubClient } = await import("../github/client.js");
  const octokit = await githubClient({
    token,
    baseUrl: target.apiUrl.replace(/\/+$/, ""),
    userAgent: "mission-control-report",
  });
  const [owner = "", repo = ""] = prepared.repository.split("/");
  const request = async (send: () => Promise<{ data: unknown }>): Promise<unknown> => {
    try {
      return (await send()).data;
    } catch (error) {
      const { status, response } = error as { status?: number; response?: unknown };
      // No answer: Octokit reports a failed fetch as a RequestError without a response.
      if (status === undefined || response === undefined)
        throw new RemoteWorkerError(
          `pull request: cannot reach ${target.apiUrl}: ${errorMessage(error)}`,
          "unreachable",
        );
      throw new RemoteWorkerError(
        `pull request: GitHub answered ${status}: ${errorMessage(error).slice(0, 300)}`,
        "pull_request_refused",
      );
    }
  };
  const open = z.array(PullAnswer).safeParse(
    await request(() =>
      octokit.rest.pulls.list({
        owner,
        repo,
        head: `${owner}:${prepared.branch}`,
        base: target.base,
        state: "open",
      }),
    ),
  );
  const found = open.success ? open.data[0] : undefined;
  if (found) return found.number;
  const issue = prepared.issue_number ? `Refs #${prepared.issue_number}\n\n` : "";
  const created = PullAnswer.safeParse(
    await request(() =>
      octokit.rest.pulls.create({
        owner,
        repo,
        title: `${prepared.ticket}: ${prepared.title ?? "Mission Control ticket"}`,
        head: prepared.branch,
        base: target.base,
        draft: true,
        body: `${issue}Work of Mission Control ticket ${prepared.ticket}, attempt ${prepared.attempt}. Opened as a draft by the report job; a person reviews and merges it.`,
      }),
    ),
  );
  if (!created.success)
    throw new RemoteWorkerError("pull request: unexpected answer from GitHub", "bad_answer");
  return created.data.number;
}

async function readPrepared(dir: string): Promise<Prepared> {
  const text = await readText(path.join(dir, "attempt.json"));
  if (text === null)
    throw new RemoteWorkerError(`no attempt.json in ${dir}: run mctl worker prepare first`, "no_artifact");
  try {
    return Prepared.parse(JSON.parse(text));
  } catch {
    throw new RemoteWorkerError(
      `${path.join(dir, "attempt.json")} is not what mctl worker prepare writes`,
      "no_artifact",
    );
  }
}

async function readAgentFacts(dir: string): Promise<{ durationMs: number }> {
  const text = await readText(path.join(dir, "agent.json"));
  if (text === null) return { durationMs: 0 };
  // Written by the agent's job: anything unreadable is "no facts", never a failed report.
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { durationMs: 0 };
  }
  const parsed = z.object({ durationMs: z.number().int().min(0) }).safeParse(json);
  return { durationMs: parsed.success ? parsed.data.durationMs : 0 };
}

async function readText(file: string): Promise<string | null> {
  try {
    const text = (await readFile(file, "utf8")).trim();
    return text === "" ? null : text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** The commit the bundle carries: its `refs/heads/<branch>` head, else its only (or HEAD) head. */
async function bundleTip(git: GitRunner, bundle: string, branch: string): Promise<string> {
  if (!(await git.ok(["bundle", "verify", "--quiet", bundle])))
    throw new RemoteWorkerError(
      `${bundle} is not a bundle this checkout can read (are its prerequisites, the base commit, here?)`,
      "bad_bundle",
    );
  const heads = (await git.out(["bundle", "list-heads", bundle]))
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((parts): parts is [string, string] => parts.length === 2);
  const pick =
    heads.find(([, ref]) => ref === `refs/heads/${branch}`) ??
    heads.find(([, ref]) => ref === "HEAD") ??
    (heads.length === 1 ? heads[0] : undefined);
  if (!pick)
    throw new RemoteWorkerError(
      `${bundle} names no head to push (want refs/heads/${branch} or HEAD)`,
      "bad_bundle",
    );
  await git.run(["fetch", "--quiet", bundle, `+${pick[1]}:refs/mission-control/report`]);
  return git.out(["rev-parse", "--verify", "refs/mission-control/report^{commit}"]);
}

/** A URL without a user or password (the remote as evidence). */
interface GitRunner {
  run(args: readonly string[]): Promise<void>;
  out(args: readonly string[]): Promise<string>;
  ok(args: readonly string[]): Promise<boolean>;
  /** The same runner with an extra HTTP header given to git through its environment. */
  withHeader(header: string): GitRunner;
}

function gitRunner(cwd: string, baseEnv: Readonly<Record<string, string | undefined>>): GitRunner {
  const make = (env: Record<string, string>): GitRunner => {
    const exec = (args: readonly string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile("git", [...args], { cwd, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
          const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        });
      });
    const run = async (args: readonly string[]) => {
      const result = await exec(args);
      if (result.code !== 0)
        throw new RemoteWorkerError(
          `git ${args[0]} failed: ${result.stderr.trim().split("\n").at(-1) ?? `exit ${result.code}`}`,
          "git_failed",
        );
      return result.stdout.trim();
    };
    return {
      run: async (args) => {
        await run(args);
      },
      out: run,
      ok: async (args) => (await exec(args)).code === 0,
      withHeader: (header) => {
        // GIT_CONFIG_COUNT/KEY/VALUE (git 2.31+): config for this process only, never argv or a file.
        const count = Number.parseInt(env.GIT_CONFIG_COUNT ?? "0", 10) || 0;
        return make({
          ...env,
          GIT_CONFIG_COUNT: String(count + 1),
          [`GIT_CONFIG_KEY_${count}`]: "http.extraheader",
          [`GIT_CONFIG_VALUE_${count}`]: header,
        });
      },
    };
  };
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(baseEnv)) if (value !== undefined) env[key] = value;
  // Never ask a person for credentials in a workflow.
  env.GIT_TERMINAL_PROMPT = "0";
  return make(env);
}
