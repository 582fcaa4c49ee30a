import { and, eq, isNull } from "drizzle-orm";
import type { Executor } from "../db/database.js";
import { type CommandReplyRow, commandReplies } from "../db/schema.js";
import type { StoreDeps } from "./deps.js";

export interface NewCommandReply {
  readonly commentId: number;
  readonly repository: string;
  readonly issueNumber: number;
  readonly author: string;
  readonly command: string;
  readonly outcome: string;
  readonly reply: string;
}

/**
 * Stores a command's outcome and the reply to post, once per comment. Returns the stored row:
 * this one, or the first one when the comment was already handled (its reply is the one posted).
 */
export async function recordCommandOutcome(
  deps: StoreDeps,
  input: NewCommandReply,
): Promise<CommandReplyRow> {
  const [row] = await deps.db
    .insert(commandReplies)
    .values({ ...input, createdAt: deps.clock.now() })
    .onConflictDoNothing()
    .returning();
  if (row) return row;
  const first = await findCommandReply(deps.db, input.commentId);
  if (!first) throw new Error(`command reply of comment ${input.commentId} vanished`);
  return first;
}

/** Records the posted reply; false if another replica recorded one first. */
export async function recordReplyPosted(
  deps: StoreDeps,
  input: { commentId: number; replyCommentId: number },
): Promise<boolean> {
  const rows = await deps.db
    .update(commandReplies)
    .set({ replyCommentId: input.replyCommentId, repliedAt: deps.clock.now() })
    .where(and(eq(commandReplies.commentId, input.commentId), isNull(commandReplies.replyCommentId)))
    .returning({ commentId: commandReplies.commentId });
  return rows.length === 1;
}

export async function findCommandReply(
  db: Executor,
  commentId: number,
): Promise<CommandReplyRow | undefined> {
  const [row] = await db.select().from(commandReplies).where(eq(commandReplies.commentId, commentId));
  return row;
}
