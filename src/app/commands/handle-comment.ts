import type { Octokit } from "@octokit/rest";
import type { Verifier } from "../../evidence/index.js";
import type { Lifecycle } from "../../lifecycle/index.js";
import type { Store, TakenCommandRequest } from "../../store/index.js";
import type { CommandOutcome } from "./codes.js";
import { executePlan } from "./execute.js";
import { gatherCommandFacts } from "./facts.js";
import { parseCommand } from "./parse.js";
import {
  answersRefusals,
  checkPermission,
  DEFAULT_CONTROL_REPOSITORY_NAME,
  governingRepositoryOf,
  requiredPermissionOf,
} from "./permission.js";
import { lookupPermission, type PermissionLookup } from "./permission-cache.js";
import { planCommand } from "./plan.js";
import { renderReply, renderUsage, replyMarker } from "./reply.js";

/** The fields of an `issue_comment.created` payload the command handler reads. */
export interface CommentFacts {
  readonly owner: string;
  readonly repo: string;
  readonly issueNumber: number;
  readonly commentId: number;
  readonly body: string;
  readonly login: string;
  readonly isBot: boolean;
}

export interface CommentDeps {
  readonly lifecycle: Lifecycle;
  /** Where the command's outcome and reply are kept, once per comment. */
  readonly replies: Store["commandReplies"];
  readonly verifier: Verifier | null;
  readonly octokit: Octokit;
  /** Another repository's installation Octokit (the control repository's, for `/mc maintenance`). */
  readonly octokitFor?: ((repository: string) => Promise<Octokit>) | undefined;
  /** The commenter's permission on a repository (default: one uncached request per lookup). */
  readonly permissions?: PermissionLookup | undefined;
  /** `app.control_repository_name`: whose maintainers may run `/mc maintenance` (default mission-control). */
  readonly controlRepositoryName?: string | undefined;
}

/**
 * `/mc` in a new comment, inside the webhook request: ignored for bots and non-commands (no I/O),
 * otherwise recorded for the command worker (idempotent by comment id) and nothing else: no GitHub
 * call and no lifecycle change here, so the delivery is answered well within GitHub's 10 seconds.
 * Returns the outcome code for the delivery record.
 */
export async function acceptComment(
  requests: Pick<Store["commandRequests"], "request">,
  facts: CommentFacts,
  deliveryId: string,
): Promise<string> {
  if (facts.isBot) return "ignored:bot";
  if (parseCommand(facts.body).kind === "not_a_command") return "ignored:not_a_command";
  const recorded = await requests.request({
    commentId: facts.commentId,
    repository: `${facts.owner}/${facts.repo}`,
    issueNumber: facts.issueNumber,
    author: facts.login,
    body: facts.body,
    deliveryId,
  });
  return recorded.code === "queued" ? "command:queued" : "ignored:already_queued";
}

/** A queued request as the command worker runs it (a request is never a bot's: those are not queued). */
export function commentOfRequest(request: TakenCommandRequest): CommentFacts {
  const [owner = "", repo = ""] = request.repository.split("/");
  return {
    owner,
    repo,
    issueNumber: request.issueNumber,
    commentId: request.commentId,
    body: request.body,
    login: request.author,
    isBot: false,
  };
}

/**
 * Runs a queued `/mc` comment (the command worker, src/app/commands/worker.ts): permission checked
 * first (one cached request; someone who cannot write to the repository is refused without a
 * reaction or a reply), then reacted to, planned, executed through the lifecycle, and answered with
 * exactly one reply (the outcome is stored by comment id before the reply is posted, so a retry
 * after a failure resumes the reply instead of running the command again).
 * Returns the outcome code for the worker's log.
 */
export async function handleComment(deps: CommentDeps, facts: CommentFacts): Promise<string> {
  if (facts.isBot) return "ignored:bot";
  const parsed = parseCommand(facts.body);
  if (parsed.kind === "not_a_command") return "ignored:not_a_command";
  const { octokit } = deps;
  const repository = `${facts.owner}/${facts.repo}`;
  const where = { owner: facts.owner, repo: facts.repo };

  const earlier = await deps.replies.find(facts.commentId);
  if (earlier?.replyCommentId) return "ignored:already_replied";
  if (earlier?.outcome === "outsider_ignored") return "command:outsider_ignored";
  if (!earlier) {
    const permitted = await checkCommenter(deps, facts, parsed, repository);
    if (permitted.status === "silent") {
      // Kept (so a retry does nothing) but never posted: the outsider gets no reaction, no reply.
      await deps.replies.record({
        commentId: facts.commentId,
        repository,
        issueNumber: facts.issueNumber,
        author: facts.login,
        command: facts.body.slice(0, 2000),
        outcome: "outsider_ignored",
        reply: "",
      });
      return "command:outsider_ignored";
    }
    await octokit.rest.reactions.createForIssueComment({
      ...where,
      comment_id: facts.commentId,
      content: "eyes",
    });
    const outcome =
      permitted.status === "refused" ? permitted.outcome : await decide(deps, facts, parsed, repository);
    const stored = await deps.replies.record({
      commentId: facts.commentId,
      repository,
      issueNumber: facts.issueNumber,
      author: facts.login,
      command: facts.body.slice(0, 2000),
      outcome: outcome.code,
      reply: renderReply({
        commentId: facts.commentId,
        login: facts.login,
        command: facts.body,
        outcome: outcome.code,
        text: outcome.text,
      }),
    });
    return postReply(deps, facts, stored.reply, false).then(() => `command:${stored.outcome}`);
  }
  // The outcome was stored but the reply may or may not have been posted (a crash in between).
  await postReply(deps, facts, earlier.reply, true);
  return `command:${earlier.outcome}:reply_resumed`;
}

type Parsed = Exclude<ReturnType<typeof parseCommand>, { kind: "not_a_command" }>;

/**
 * The permission check, before any write to GitHub: `silent` for someone who cannot write to the
 * comment's repository and is not allowed the command (one request, cached); `refused` with the
 * reply for a writer who may not (e.g. `/mc maintenance` without maintain on the owner's control
 * repository, a second request); `allowed` otherwise.
 */
async function checkCommenter(
  deps: CommentDeps,
  facts: CommentFacts,
  parsed: Parsed,
  repository: string,
): Promise<{ status: "allowed" } | { status: "silent" } | { status: "refused"; outcome: CommandOutcome }> {
  const lookup = deps.permissions ?? lookupPermission;
  const level = await lookup(deps.octokit, repository, facts.login);
  if (parsed.kind === "usage_error")
    return answersRefusals(level) ? { status: "allowed" } : { status: "silent" };
  const { command } = parsed;
  const required = requiredPermissionOf(command);
  const governing = governingRepositoryOf(
    command,
    repository,
    deps.controlRepositoryName ?? DEFAULT_CONTROL_REPOSITORY_NAME,
  );
  if (governing === repository) {
    const check = checkPermission(command.name, facts.login, level, required);
    if (check.status === "allowed") return { status: "allowed" };
    if (!answersRefusals(level)) return { status: "silent" };
    return { status: "refused", outcome: { code: "permission_refused", text: `refused: ${check.message}` } };
  }
  // `/mc maintenance`: only a writer here is told why; the control repository decides.
  if (!answersRefusals(level)) return { status: "silent" };
  // Only "not installed" (404) means nobody maintains it; any other failure (GitHub down, a rate
  // limit) is thrown, so the command worker tries again instead of refusing for good.
  const controlOctokit = deps.octokitFor
    ? await deps.octokitFor(governing).catch((error: unknown) => {
        if ((error as { status?: number }).status === 404) return null;
        throw error;
      })
    : deps.octokit;
  // The app not installed on the control repository: nobody maintains it as far as the app knows.
  const controlLevel = controlOctokit ? await lookup(controlOctokit, governing, facts.login) : "none";
  const check = checkPermission(command.name, facts.login, controlLevel, required);
  if (check.status === "allowed") return { status: "allowed" };
  return {
    status: "refused",
    outcome: {
      code: "permission_refused",
      text: `refused: @${facts.login} has ${controlLevel} permission on ${governing}, the control repository of ${facts.owner}; /mc ${command.name} needs ${required} or higher there`,
    },
  };
}

/** facts → plan → execute (the permission already checked): the outcome to store and reply with. */
async function decide(
  deps: CommentDeps,
  facts: CommentFacts,
  parsed: Parsed,
  repository: string,
): Promise<CommandOutcome> {
  if (parsed.kind === "usage_error")
    return { code: "usage_error", text: renderUsage(parsed.message, parsed.usage) };
  const { command } = parsed;
  const known = await gatherCommandFacts(
    deps,
    { repository, issueNumber: facts.issueNumber, login: facts.login },
    command,
  );
  return executePlan(deps, planCommand(command, known));
}

async function postReply(
  deps: CommentDeps,
  facts: CommentFacts,
  body: string,
  resumed: boolean,
): Promise<void> {
  const where = { owner: facts.owner, repo: facts.repo, issue_number: facts.issueNumber };
  let replyId: number | undefined;
  if (resumed) {
    const comments = await deps.octokit.paginate(deps.octokit.rest.issues.listComments, {
      ...where,
      per_page: 100,
    });
    // Only a bot's comment that starts with the marker is our reply: anyone can write the marker's
    // text in a comment of their own (or have it quoted), which must not swallow the real reply.
    replyId = comments.find(
      (c) => c.user?.type === "Bot" && (c.body ?? "").startsWith(replyMarker(facts.commentId)),
    )?.id;
  }
  if (replyId === undefined)
    replyId = (await deps.octokit.rest.issues.createComment({ ...where, body })).data.id;
  await deps.replies.replyPosted({ commentId: facts.commentId, replyCommentId: replyId });
}
