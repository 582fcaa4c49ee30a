/**
 * `/mc` comments waiting for the command worker (`command_requests`), a leased queue. The webhook
 * handler records one (idempotent by comment id, so a redelivery never queues the command twice)
 * and returns; the app's command worker takes due requests (locked with a lease, taken over when a
 * worker dies), runs the command and replies, then marks the request done, or releases it with
 * back-off. The reply stays exactly once through `command_replies`.
 */
import { eq } from "drizzle-orm";
import type { Executor } from "../db/database.js";
import { type CommandRequestRow, commandRequests } from "../db/schema.js";
import type { StoreDeps } from "./deps.js";
import { leasedQueue, queuePort } from "./leased-queue.js";

const queue = leasedQueue(commandRequests);

/**
 * GitHub's own limit on a comment's length: the whole comment is kept (an `answer` text and the
 * one-command-per-comment check read past the first line), but never more than GitHub allows.
 */
export const MAX_COMMAND_BODY_CHARS = 65_536;

export interface NewCommandRequest {
  readonly commentId: number;
  readonly repository: string;
  readonly issueNumber: number;
  readonly author: string;
  readonly body: string;
  readonly deliveryId: string;
}

export interface TakenCommandRequest {
  readonly id: number;
  readonly commentId: number;
  readonly repository: string;
  readonly issueNumber: number;
  readonly author: string;
  readonly body: string;
  readonly tries: number;
}

/** Records a request (idempotent by comment id): `queued`, or `duplicate` when that comment already is. */
export async function requestCommand(
  deps: StoreDeps,
  input: NewCommandRequest,
): Promise<{ readonly ok: true; readonly code: "queued" | "duplicate" }> {
  const now = deps.clock.now();
  const rows = await deps.db
    .insert(commandRequests)
    .values({
      ...input,
      body: input.body.slice(0, MAX_COMMAND_BODY_CHARS),
      createdAt: now,
      nextAttemptAt: now,
    })
    .onConflictDoNothing()
    .returning({ id: commandRequests.id });
  return { ok: true, code: rows.length > 0 ? "queued" : "duplicate" };
}

/** The queue as the command worker sees it: take (oldest first, leased), complete, fail with back-off, backlog. */
export function commandRequestQueue(deps: StoreDeps) {
  return queuePort(
    deps,
    queue,
    (row: CommandRequestRow): TakenCommandRequest => ({
      id: row.id,
      commentId: row.commentId,
      repository: row.repository,
      issueNumber: row.issueNumber,
      author: row.author,
      body: row.body,
      tries: row.tries,
    }),
  );
}

export async function findCommandRequest(
  db: Executor,
  commentId: number,
): Promise<CommandRequestRow | undefined> {
  const [row] = await db.select().from(commandRequests).where(eq(commandRequests.commentId, commentId));
  return row;
}
