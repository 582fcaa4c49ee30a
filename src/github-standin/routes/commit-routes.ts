import { z } from "zod";
import { parseBody } from "../http/body.js";
import { HttpError, notFoundError } from "../http/http-error.js";
import type { RepoRouteContext, Route } from "../http/route.js";
import { changedFiles, presentCommit, presentCommitWithFiles } from "../presenters/commits.js";
import { presentMinimalRepository, repoApiUrl, repoHtmlUrl } from "../presenters/repositories.js";
import { presentSimpleStatus, presentStatus } from "../presenters/statuses.js";
import { compare } from "../world/commit-graph.js";
import { resolveRef } from "../world/repositories.js";
import { combinedStatus, createStatus, statusesFor } from "../world/statuses.js";
import type { CommitRecord } from "../world/types.js";
import { json, pagedList, param, repoRoute, unwrap } from "./define.js";

const statusBody = z.object({
  state: z.enum(["error", "failure", "pending", "success"]),
  target_url: z.string().nullable().optional(),
  description: z.string().nullable().optional(),
  context: z.string().optional(),
});

/** The commit a `{ref}` names; 404 (GitHub: "No commit found for SHA") when none. */
export function commitParam(ctx: RepoRouteContext, name = "ref"): CommitRecord {
  const commit = resolveRef(ctx.repo, param(ctx, name));
  if (!commit) throw new HttpError(404, `No commit found for SHA: ${param(ctx, name)}`);
  return commit;
}

/** `base...head`, where each side may be `owner:branch` (same repository only here). */
function compareCommits(ctx: RepoRouteContext) {
  const [baseRef, headRef, ...rest] = param(ctx, "basehead").split("...");
  if (!baseRef || !headRef || rest.length > 0) throw notFoundError();
  const side = (ref: string) =>
    resolveRef(ctx.repo, ref.includes(":") ? ref.slice(ref.indexOf(":") + 1) : ref);
  const base = side(baseRef);
  const head = side(headRef);
  if (!base || !head) throw notFoundError();
  const result = compare(ctx.repo.commits, base.sha, head.sha);
  const mergeBase = result.mergeBase ? ctx.repo.commits.get(result.mergeBase) : undefined;
  if (!mergeBase) throw new HttpError(404, `No common ancestor between ${baseRef} and ${headRef}.`);
  const html = `${repoHtmlUrl(ctx.view, ctx.repo)}/compare/${baseRef}...${headRef}`;
  const commits = result.commits.flatMap((sha) => {
    const commit = ctx.repo.commits.get(sha);
    return commit ? [presentCommit(ctx.view, ctx.repo, commit)] : [];
  });
  return json({
    url: `${repoApiUrl(ctx.view, ctx.repo)}/compare/${baseRef}...${headRef}`,
    html_url: html,
    permalink_url: `${repoHtmlUrl(ctx.view, ctx.repo)}/compare/${base.sha.slice(0, 7)}...${head.sha.slice(0, 7)}`,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    base_commit: presentCommit(ctx.view, ctx.repo, base),
    merge_base_commit: presentCommit(ctx.view, ctx.repo, mergeBase),
    status: result.status,
    ahead_by: result.aheadBy,
    behind_by: result.behindBy,
    total_commits: result.aheadBy,
    commits,
    files: changedFiles(ctx.view, ctx.repo, mergeBase, head),
  });
}

export function commitRoutes(): Route[] {
  return [
    repoRoute({
      method: "GET",
      template: "/repos/{owner}/{repo}/commits/{ref}",
      operationId: "repos/get-commit",
      permission: ["contents", "read"],
      handle: (ctx) => json(presentCommitWithFiles(ctx.view, ctx.repo, commitParam(ctx))),
    }),
    repoRoute({
      method: "GET",
      template: "/repos/{owner}/{repo}/compare/{basehead}",
      operationId: "repos/compare-commits",
      permission: ["contents", "read"],
      handle: compareCommits,
    }),
    repoRoute({
      method: "GET",
      template: "/repos/{owner}/{repo}/commits/{ref}/status",
      operationId: "repos/get-combined-status-for-ref",
      permission: ["statuses", "read"],
      handle: (ctx) => {
        const commit = commitParam(ctx);
        const combined = combinedStatus(ctx.repo, commit.sha);
        const api = repoApiUrl(ctx.view, ctx.repo);
        return json({
          state: combined.state,
          statuses: combined.latest.map((status) => presentSimpleStatus(ctx.view, ctx.repo, status)),
          sha: commit.sha,
          total_count: combined.latest.length,
          repository: presentMinimalRepository(ctx.view, ctx.repo),
          commit_url: `${api}/commits/${commit.sha}`,
          url: `${api}/commits/${commit.sha}/status`,
        });
      },
    }),
    repoRoute({
      method: "GET",
      template: "/repos/{owner}/{repo}/commits/{ref}/statuses",
      operationId: "repos/list-commit-statuses-for-ref",
      permission: ["statuses", "read"],
      handle: (ctx) =>
        pagedList(ctx, statusesFor(ctx.repo, commitParam(ctx).sha), (status) =>
          presentStatus(ctx.view, ctx.repo, status),
        ),
    }),
    repoRoute({
      method: "POST",
      template: "/repos/{owner}/{repo}/statuses/{sha}",
      operationId: "repos/create-commit-status",
      permission: ["statuses", "write"],
      handle: (ctx) => {
        const body = parseBody(statusBody, ctx.body, "Status");
        const input = {
          sha: param(ctx, "sha"),
          state: body.state,
          ...(body.context !== undefined ? { context: body.context } : {}),
          description: body.description ?? null,
          targetUrl: body.target_url ?? null,
        };
        const status = unwrap(createStatus(ctx.view.world, ctx.repo, input, ctx.actor));
        return json(presentStatus(ctx.view, ctx.repo, status), 201);
      },
    }),
  ];
}
