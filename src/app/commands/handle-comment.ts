import type { Octokit } from "@octokit/rest";
import type { Lifecycle } from "../../lifecycle/index.js";
import type { Store, TakenCommandRequest } from "../../store/index.js";
import type { Verifier } from "../../evidence/index.js";
import type { CommandOutcome } from "./codes.js";
import { executePlan } from "./execute.js";
import { gatherCommandFacts } from "./facts.js";
import { parseCommand } from "./parse.js";
import { checkPermission, permissionLevelOf, requiredPermissionOf } from "./permission.js";
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
 * Runs a queued `/mc` comment (the command worker, src/app/commands/worker.ts): reacted to,
 * permission checked with the API, planned, executed through the lifecycle, and answered with
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
  if (!earlier) {
    await octokit.rest.reactions.createForIssueComment({
      ...where,
      comment_id: facts.commentId,
      content: "eyes",
    });
    const outcome = await decide(deps, facts, parsed, repository);
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

/** parse → permission → facts → plan → execute: the outcome to store and reply with. */
async function decide(
  deps: CommentDeps,
  facts: CommentFacts,
  parsed: Exclude<ReturnType<typeof parseCommand>, { kind: "not_a_command" }>,
  repository: string,
): Promise<CommandOutcome> {
  if (parsed.kind === "usage_error")
    return { code: "usage_error", text: renderUsage(parsed.message, parsed.usage) };
  const { command } = parsed;
  const { data } = await deps.octokit.rest.repos.getCollaboratorPermissionLevel({
    owner: facts.owner,
    repo: facts.repo,
    username: facts.login,
  });
  const permission = checkPermission(
    command.name,
    facts.login,
    permissionLevelOf(data),
    requiredPermissionOf(command),
  );
  if (permission.status === "refused")
    return { code: "permission_refused", text: `refused: ${permission.message}` };
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
