import type { Octokit } from "@octokit/rest";
import type { Verifier } from "../../evidence/index.js";
import type { Lifecycle } from "../../lifecycle/index.js";
import { type PassReport, runQueuePass, type Store } from "../../store/index.js";
import { type MirrorRetry, retryDelayMs } from "../mirror/retry.js";
import { commentOfRequest, handleComment } from "./handle-comment.js";
import type { PermissionLookup } from "./permission-cache.js";

export interface CommandWorkerDeps {
  readonly lifecycle: Lifecycle;
  /** The `/mc` comments the webhook handler queued. */
  readonly requests: Store["commandRequests"];
  /** The outcome and reply of each comment, kept once (the reply's exactly-once). */
  readonly replies: Store["commandReplies"];
  readonly verifier: Verifier | null;
  /** The installation Octokit of a repository (`AppRuntime.octokitFor`). */
  readonly octokitFor: (repository: string) => Promise<Octokit>;
  readonly worker: string;
  readonly retry: MirrorRetry;
  readonly leaseMs: number;
  readonly batchLimit: number;
  readonly log?: (message: string, detail?: Record<string, unknown>) => void;
  /** Permission levels, cached across passes (`cachedPermissions`); default: a request per command. */
  readonly permissions?: PermissionLookup | undefined;
  /** `app.control_repository_name` (default mission-control): whose maintainers run `/mc maintenance`. */
  readonly controlRepositoryName?: string | undefined;
}

/**
 * One pass of the command worker: takes due `/mc` requests (`store.commandRequests`), runs each
 * (reaction, permission, facts, plan, execute, reply; src/app/commands/handle-comment.ts) with the
 * repository's installation Octokit and marks it done once the reply is recorded. A failure (a
 * GitHub 5xx, a rate limit) leaves the request pending with back-off that honours `retry-after`;
 * the retry finds the stored outcome and only posts the reply, so the reply stays exactly once.
 */
export function commandPass(deps: CommandWorkerDeps): Promise<PassReport> {
  return runQueuePass({
    name: "command",
    queue: deps.requests,
    worker: deps.worker,
    leaseMs: deps.leaseMs,
    batchLimit: deps.batchLimit,
    async handle(request) {
      try {
        const octokit = await deps.octokitFor(request.repository);
        await handleComment(
          {
            lifecycle: deps.lifecycle,
            replies: deps.replies,
            verifier: deps.verifier,
            octokit,
            octokitFor: deps.octokitFor,
            permissions: deps.permissions,
            controlRepositoryName: deps.controlRepositoryName,
          },
          commentOfRequest(request),
        );
      } catch (error) {
        // The whole error, with the request it failed on, for the operator (the app's logger
        // redacts credentials), as the webhook handler logged it when commands ran there; the
        // queue's own line says when it is tried again.
        deps.log?.("command request error", { request: request.id, comment: request.commentId, err: error });
        throw error;
      }
    },
    retryDelayMs: (tries, error) => retryDelayMs(deps.retry, tries, error),
    describe: (request) => ({
      request: request.id,
      repository: request.repository,
      issue: request.issueNumber,
      comment: request.commentId,
    }),
    log: deps.log,
  });
}
