/**
 * The attempt API (docs/api.md): the GitHub Actions run of the three-job agent workflow starts,
 * reports and ends its attempt with its OIDC token, and gets a push credential for the report job.
 *
 *   POST /api/v1/attempts/{id}/start        { launch_key }                     → brief, base commit, branch
 *   POST /api/v1/attempts/{id}/complete     { commit_sha, branch, pull_request?, evidence }
 *   POST /api/v1/attempts/{id}/needs-input  { question }
 *   POST /api/v1/attempts/{id}/fail         { reason }
 *   POST /api/v1/attempts/{id}/push-token   {}                                 → { token, expires_at }
 *
 * Every call: the bearer token is checked by the verifier (401), then the policy (403: the ticket's
 * repository, its agent workflow on the default branch, `workflow_dispatch`; after `start`, the run
 * the attempt is bound to), then the lifecycle's compare-and-set (409 when the attempt already
 * started or ended). A refused call changes nothing.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { isTransientDatabaseError } from "../../db/errors.js";
import type { AttemptRow, TicketRow } from "../../db/schema.js";
import type { Actor } from "../../domain/actors.js";
import type { BackoffPolicy } from "../../domain/backoff.js";
import { CommitShaSchema, CompletionEvidenceSchema } from "../../domain/completion-evidence.js";
import { errorMessage } from "../../domain/error-message.js";
import { ticketBranch } from "../../domain/ticket-key.js";
import type { EndAttemptResult, Lifecycle } from "../../lifecycle/index.js";
import { readAttemptContext } from "../../worker/attempt-context.js";
import { renderBrief } from "../../worker/brief.js";
import { bearerToken } from "../oidc/bearer-token.js";
import type { ActionsClaims, ActionsTokenVerifier } from "../oidc/claims.js";
import {
  type AgentWorkflow,
  boundRunRefusal,
  repositoryRefusal,
  runPolicyRefusal,
} from "./attempts-policy.js";
import { type ApiIssue, issuesOf, sendError, sendInvalid, sendJson } from "./errors.js";
import { matchPath } from "./route.js";

export type { AgentWorkflow } from "./attempts-policy.js";

/** The lifecycle operations the attempt API uses. */
export type AttemptApiLifecycle = Pick<
  Lifecycle,
  | "clock"
  | "findAttempt"
  | "findTicketById"
  | "attemptsOf"
  | "questionsOf"
  | "completeAttempt"
  | "askQuestion"
  | "failAttempt"
> & { readonly runs: Pick<Lifecycle["runs"], "bind"> };

/** A push credential: an installation token for one repository, `contents` and `pull_requests` write. */
export interface PushToken {
  readonly token: string;
  /** ISO 8601. */
  readonly expiresAt: string;
}

export interface AttemptApiDeps {
  readonly lifecycle: AttemptApiLifecycle;
  /** Checks the bearer token's signature, issuer, audience and expiry (src/app/oidc). */
  readonly tokens: ActionsTokenVerifier;
  /** The repository's agent workflow (its `github-workflow` launcher), or null when it has none. */
  readonly agentWorkflowFor: (repository: string) => Promise<AgentWorkflow | null>;
  /** Mints the installation token of one repository for the report job's push. */
  readonly mintPushToken: (repository: string) => Promise<PushToken>;
  /** The lease a started attempt gets (`dispatch.attempt_lease_seconds`). */
  readonly leaseMs: number;
  /** The back-off of a failed attempt's retry (`dispatch.backoff`). */
  readonly backoff: BackoffPolicy;
  /** The remote named in the brief. */
  readonly remote?: string;
  /** A refusal or an unexpected error (never with the token). */
  readonly log?: (message: string, detail: Record<string, unknown>) => void;
}

const ACTIONS = ["start", "complete", "needs-input", "fail", "push-token"] as const;
type Action = (typeof ACTIONS)[number];
const PATH = "/api/v1/attempts/:id/:action";
const MAX_BODY_BYTES = 256 * 1024;
export const MAX_QUESTION_LENGTH = 4000;
export const MAX_REASON_LENGTH = 2000;

const StartBody = z.strictObject({ launch_key: z.string().min(1).max(200) });
const CompleteBody = z.strictObject({
  commit_sha: CommitShaSchema,
  branch: z.string().min(1).max(255),
  pull_request: z.number().int().positive().optional(),
  evidence: CompletionEvidenceSchema,
});
const QuestionBody = z.strictObject({ question: z.string().trim().min(1).max(MAX_QUESTION_LENGTH) });
const FailBody = z.strictObject({ reason: z.string().trim().min(1).max(MAX_REASON_LENGTH) });
const EmptyBody = z.strictObject({});
const AttemptId = z.uuid();

interface Call {
  readonly res: ServerResponse;
  readonly claims: ActionsClaims;
  readonly attempt: AttemptRow;
  readonly ticket: TicketRow;
  readonly body: unknown;
  readonly actor: Actor;
}

/**
 * A Probot handler (`options.addHandler`) for `POST /api/v1/attempts/{id}/{action}`; false for
 * every other path. Without `deps` (no token verifier configured) it answers 503.
 */
export function attemptApiHandler(deps: AttemptApiDeps | null) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const params = matchPath(PATH, url.pathname);
    if (!params || !(ACTIONS as readonly string[]).includes(params.action ?? "")) return false;
    if (req.method !== "POST") {
      sendError(res, 405, "method_not_allowed", `${req.method} is not allowed: use POST`, {
        headers: { allow: "POST" },
      });
      return true;
    }
    if (!deps) {
      sendError(res, 503, "not_configured", "the attempt API is not configured on this app (no OIDC issuer)");
      return true;
    }
    try {
      await handle(deps, req, res, params.id ?? "", params.action as Action);
    } catch (error) {
      deps.log?.("attempt api failed", { err: error, action: params.action });
      if (res.headersSent) res.end();
      // The database is away for now: the caller's report is kept and tried again (mctl worker
      // report retries 5xx); nothing was changed, every write is one transaction.
      else if (isTransientDatabaseError(error))
        sendError(res, 503, "database_unavailable", "the app cannot reach its database now; try again", {
          headers: { "retry-after": "5" },
        });
      else sendError(res, 500, "internal", "the request failed; see the app's log");
    }
    return true;
  };
}

async function handle(
  deps: AttemptApiDeps,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
  action: Action,
): Promise<void> {
  // 1. Authenticity first: nothing about the attempt is revealed to an unauthenticated caller.
  const verified = await deps.tokens.verify(bearerToken(req));
  if (!verified.ok) {
    deps.log?.("attempt api: token refused", { action, attempt: id, reason: verified.reason });
    return sendError(res, verified.status, verified.reason, verified.message);
  }
  const { claims } = verified;
  const body = await readJson(req);
  if (!body.ok) return sendError(res, body.status, body.code, body.message);
  if (!AttemptId.safeParse(id).success)
    return sendInvalid(res, [{ parameter: "id", message: "must be an attempt id (a UUID)" }]);
  const attempt = await deps.lifecycle.findAttempt(id);
  const ticket = attempt ? await deps.lifecycle.findTicketById(attempt.ticketId) : undefined;
  if (!attempt || !ticket) return sendError(res, 404, "not_found", `no attempt ${id}`);
  // 2. Policy: the ticket's repository and agent workflow, then (after start) the bound run.
  const early = repositoryRefusal(claims, ticket);
  let workflow: AgentWorkflow | null = null;
  if (!early) {
    try {
      workflow = await deps.agentWorkflowFor(ticket.repository);
    } catch (error) {
      // The owner's configuration cannot be read now: the run may try again (nothing changed).
      deps.log?.("attempt api: configuration unavailable", {
        action,
        attempt: id,
        error: errorMessage(error),
      });
      return sendError(
        res,
        503,
        "configuration_unavailable",
        "the repository's configuration cannot be read now; try again",
      );
    }
  }
  const refusal = early ?? runPolicyRefusal(claims, ticket, workflow) ?? boundRunRefusal(claims, attempt);
  if (refusal) {
    deps.log?.("attempt api: policy refused", {
      action,
      attempt: id,
      reason: refusal.reason,
      repository: claims.repository,
      run: claims.run_id,
    });
    return sendError(res, refusal.status, refusal.reason, refusal.message);
  }
  const actor: Actor = { kind: "worker", id: `actions:${claims.repository}/runs/${claims.run_id}` };
  const call: Call = { res, claims, attempt, ticket, body: body.value, actor };
  if (action === "start") return start(deps, call);
  // Every other call is of a started attempt, by its run.
  if (attempt.runId === null) {
    if (attempt.status === "launching")
      return sendError(res, 409, "not_started", `attempt ${id} has not been started; call start first`);
    return sendError(res, 403, "wrong_run", `attempt ${id} is not run by a GitHub Actions run`);
  }
  if (attempt.status !== "running")
    return sendError(
      res,
      409,
      "attempt_ended",
      `attempt ${id} of ${ticket.key} has ended: it is ${attempt.status}`,
    );
  if (action === "push-token") return pushToken(deps, call);
  if (action === "complete") return complete(deps, call);
  if (action === "needs-input") return needsInput(deps, call);
  return fail(deps, call);
}

async function start(deps: AttemptApiDeps, call: Call): Promise<void> {
  const body = parseBody(call, StartBody);
  if (!body) return;
  const { claims } = call;
  const runAttempt = Number.parseInt(claims.run_attempt, 10);
  const bound = await deps.lifecycle.runs.bind({
    attemptId: call.attempt.id,
    launchKey: body.launch_key,
    leaseMs: deps.leaseMs,
    run: {
      repository: claims.repository,
      runId: claims.run_id,
      runAttempt: Number.isFinite(runAttempt) ? runAttempt : 1,
    },
    // GitHub's signed statement of the commit the run started on: the agent's base.
    baseSha: claims.sha,
    actor: call.actor,
  });
  if (!bound.ok) {
    if (bound.code === "not_found") return sendError(call.res, 404, "not_found", bound.message);
    const code = bound.code === "refused" ? bound.reason : "conflict";
    // A wrong launch key is the caller's mistake about this attempt; everything else is its state.
    const status = code === "launch_key_mismatch" || code === "wrong_repository" ? 403 : 409;
    deps.log?.("attempt api: start refused", { attempt: call.attempt.id, reason: code, run: claims.run_id });
    return sendError(call.res, status, code, bound.message);
  }
  const branch = ticketBranch(bound.ticket.key);
  const context = await readAttemptContext(deps.lifecycle, bound.attempt);
  const brief = context
    ? renderBrief({ context, branch, remote: deps.remote ?? "origin", finish: "workflow" })
    : "";
  sendJson(call.res, 200, {
    attempt: { id: bound.attempt.id, number: bound.attempt.number, status: bound.attempt.status },
    ticket: {
      key: bound.ticket.key,
      repository: bound.ticket.repository,
      title: bound.ticket.title,
      // The issue the ticket mirrors, if any: the report job's draft pull request links it.
      issue_number: bound.ticket.issueNumber ?? null,
    },
    run: { repository: claims.repository, run_id: claims.run_id, run_attempt: bound.attempt.runAttempt },
    base_sha: bound.attempt.baseSha,
    branch,
    brief,
    lease_expires_at: bound.attempt.leaseExpiresAt.toISOString(),
  });
}

async function complete(deps: AttemptApiDeps, call: Call): Promise<void> {
  const body = parseBody(call, CompleteBody);
  if (!body) return;
  const { attempt, ticket } = call;
  const branch = ticketBranch(ticket.key);
  const issues: ApiIssue[] = [];
  const want = (parameter: string, ok: boolean, message: string) => {
    if (!ok) issues.push({ parameter, message });
  };
  want("branch", body.branch === branch, `must be the ticket's branch ${branch}`);
  want("evidence.branch", body.evidence.branch === body.branch, "must be the branch of the call");
  want("evidence.commitSha", body.evidence.commitSha === body.commit_sha, "must be commit_sha");
  want("evidence.attemptId", body.evidence.attemptId === attempt.id, `must be ${attempt.id}`);
  want("evidence.ticket", body.evidence.ticket === ticket.key, `must be ${ticket.key}`);
  want(
    "evidence.baseSha",
    body.evidence.baseSha === attempt.baseSha,
    `must be the commit the run started on (${attempt.baseSha})`,
  );
  want(
    "commit_sha",
    body.commit_sha !== attempt.baseSha,
    "must differ from the base commit (nothing was done)",
  );
  if (issues.length) return sendInvalid(call.res, issues);
  const ended = await deps.lifecycle.completeAttempt({
    attemptId: attempt.id,
    actor: call.actor,
    evidence: body.evidence,
    detail: {
      run: { repository: attempt.runRepository, runId: attempt.runId },
      ...(body.pull_request === undefined ? {} : { pullRequest: body.pull_request }),
    },
  });
  return answerEnding(call.res, ended);
}

async function needsInput(deps: AttemptApiDeps, call: Call): Promise<void> {
  const body = parseBody(call, QuestionBody);
  if (!body) return;
  const ended = await deps.lifecycle.askQuestion({
    attemptId: call.attempt.id,
    actor: call.actor,
    question: body.question,
  });
  return answerEnding(call.res, ended);
}

async function fail(deps: AttemptApiDeps, call: Call): Promise<void> {
  const body = parseBody(call, FailBody);
  if (!body) return;
  const ended = await deps.lifecycle.failAttempt({
    attemptId: call.attempt.id,
    actor: call.actor,
    reason: "agent_failed",
    detail: {
      message: body.reason,
      run: { repository: call.attempt.runRepository, runId: call.attempt.runId },
    },
    backoff: deps.backoff,
  });
  return answerEnding(call.res, ended);
}

async function pushToken(deps: AttemptApiDeps, call: Call): Promise<void> {
  if (!parseBody(call, EmptyBody)) return;
  const lease = call.attempt.leaseExpiresAt.getTime() - deps.lifecycle.clock.now().getTime();
  if (lease <= 0)
    return sendError(call.res, 409, "lease_expired", `attempt ${call.attempt.id} has lost its lease`);
  const minted = await deps.mintPushToken(call.ticket.repository);
  // The token goes to the caller only: never into a log line or the database. The branch and the
  // base are the app's records, so the report job pushes where they say, not where a file says.
  sendJson(call.res, 200, {
    token: minted.token,
    expires_at: minted.expiresAt,
    repository: call.ticket.repository,
    branch: ticketBranch(call.ticket.key),
    base_sha: call.attempt.baseSha,
  });
}

function answerEnding(res: ServerResponse, ended: EndAttemptResult): void {
  if (ended.ok) {
    sendJson(res, 200, {
      attempt: { id: ended.attempt.id, status: ended.attempt.status },
      ticket: { key: ended.ticket.key, state: ended.ticket.state, version: ended.ticket.version },
    });
  } else if (ended.code === "not_found") sendError(res, 404, "not_found", ended.message);
  else if (ended.code === "invalid_input")
    sendInvalid(
      res,
      ended.issues.map((message) => ({ parameter: "body", message })),
    );
  else sendError(res, 409, ended.code === "fenced" ? "attempt_ended" : ended.code, ended.message);
}

function parseBody<S extends z.ZodType>(call: Call, schema: S): z.output<S> | null {
  const parsed = schema.safeParse(call.body);
  if (parsed.success) return parsed.data;
  sendInvalid(
    call.res,
    issuesOf(parsed.error).map((i) => (i.parameter === "query" ? { ...i, parameter: "body" } : i)),
  );
  return null;
}

type JsonBody =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly status: 400 | 413 | 415; readonly code: string; readonly message: string };

async function readJson(req: IncomingMessage): Promise<JsonBody> {
  const type = req.headers["content-type"] ?? "";
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      return {
        ok: false,
        status: 413,
        code: "body_too_large",
        message: `the body is over ${MAX_BODY_BYTES} bytes`,
      };
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return { ok: true, value: {} };
  if (!/^application\/json\b/i.test(type))
    return {
      ok: false,
      status: 415,
      code: "unsupported_media_type",
      message: "send the body as application/json",
    };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, status: 400, code: "invalid_json", message: "the body is not valid JSON" };
  }
}
