import type { Actor } from "./actor.js";
import { notFound, ok, type Result } from "./results.js";
import type {
  CommentRecord,
  IssueRecord,
  ReactionContent,
  ReactionRecord,
  RepositoryRecord,
} from "./types.js";
import type { WorldState } from "./world-state.js";

/** Adds a comment to an issue or pull request and emits `issue_comment.created`. */
export function createComment(
  world: WorldState,
  repo: RepositoryRecord,
  issue: IssueRecord,
  body: string,
  actor: Actor,
): CommentRecord {
  const now = world.now();
  const comment: CommentRecord = {
    id: world.ids.id(),
    issueNumber: issue.number,
    userId: actor.user.id,
    body,
    createdAt: now,
    updatedAt: now,
    viaAppId: actor.viaAppId,
    reactions: [],
  };
  repo.comments.set(comment.id, comment);
  world.emit({
    kind: "issue_comment",
    action: "created",
    repositoryId: repo.id,
    issueNumber: issue.number,
    commentId: comment.id,
    senderId: actor.user.id,
  });
  return comment;
}

export function findComment(repo: RepositoryRecord, id: number): Result<CommentRecord> {
  const comment = repo.comments.get(id);
  return comment ? ok(comment) : notFound("Comment");
}

/** Changes a comment's body and emits `issue_comment.edited` with the previous body. */
export function editComment(
  world: WorldState,
  repo: RepositoryRecord,
  comment: CommentRecord,
  body: string,
  actor: Actor,
): CommentRecord {
  const from = comment.body;
  comment.body = body;
  comment.updatedAt = world.now();
  world.emit({
    kind: "issue_comment",
    action: "edited",
    repositoryId: repo.id,
    issueNumber: comment.issueNumber,
    commentId: comment.id,
    senderId: actor.user.id,
    changes: { body: { from } },
  });
  return comment;
}

export function commentsOf(repo: RepositoryRecord, issueNumber: number): CommentRecord[] {
  return [...repo.comments.values()].filter((comment) => comment.issueNumber === issueNumber);
}

/**
 * Adds a reaction. A user reacting twice with the same content gets the existing reaction back
 * (`created: false`), which GitHub answers with 200 instead of 201.
 */
export function react(
  world: WorldState,
  comment: CommentRecord,
  content: ReactionContent,
  actor: Actor,
): { reaction: ReactionRecord; created: boolean } {
  const existing = comment.reactions.find((r) => r.userId === actor.user.id && r.content === content);
  if (existing) return { reaction: existing, created: false };
  const reaction: ReactionRecord = {
    id: world.ids.id(),
    userId: actor.user.id,
    content,
    createdAt: world.now(),
  };
  comment.reactions.push(reaction);
  return { reaction, created: true };
}
