import { z } from "zod";
import { parseBody } from "../http/body.js";
import { HttpError } from "../http/http-error.js";
import type { Route } from "../http/route.js";
import { presentPull } from "../presenters/pulls.js";
import { findPull, isPull, openPull, pullsForCommit } from "../world/pulls.js";
import { commitParam } from "./commit-routes.js";
import { intParam, json, pagedList, repoRoute, unwrap } from "./define.js";

const listQuery = z.object({
  state: z.enum(["open", "closed", "all"]).default("open"),
  head: z.string().optional(),
  base: z.string().optional(),
  direction: z.enum(["asc", "desc"]).default("desc"),
});

const createBody = z.object({
  title: z.string().min(1),
  head: z.string().min(1),
  base: z.string().min(1),
  body: z.string().optional(),
  draft: z.boolean().optional(),
});

export function pullRoutes(): Route[] {
  return [
    repoRoute({
      method: "POST",
      template: "/repos/{owner}/{repo}/pulls",
      operationId: "pulls/create",
      permission: ["pull_requests", "write"],
      handle: (ctx) => {
        const body = parseBody(createBody, ctx.body, "PullRequest");
        // `head` may be `owner:branch` (same repository here); GitHub allows one open pull per head and base.
        const head = body.head.includes(":") ? body.head.slice(body.head.indexOf(":") + 1) : body.head;
        const existing = [...ctx.repo.issues.values()]
          .filter(isPull)
          .find((p) => p.state === "open" && p.pull.headRef === head && p.pull.baseRef === body.base);
        if (existing)
          throw new HttpError(422, "Validation Failed", {
            errors: [
              {
                resource: "PullRequest",
                code: "custom",
                message: `A pull request already exists for ${ctx.view.world.fullName(ctx.repo)}:${head}.`,
              },
            ],
          });
        const pull = unwrap(
          openPull(
            ctx.view.world,
            ctx.repo,
            {
              head,
              base: body.base,
              title: body.title,
              ...(body.body === undefined ? {} : { body: body.body }),
              ...(body.draft ? { draft: true } : {}),
            },
            ctx.actor,
          ),
        );
        return json(presentPull(ctx.view, ctx.repo, pull), 201, {
          location: `${ctx.view.urls.api}/repos/${ctx.view.world.fullName(ctx.repo)}/pulls/${pull.number}`,
        });
      },
    }),
    repoRoute({
      method: "GET",
      template: "/repos/{owner}/{repo}/pulls",
      operationId: "pulls/list",
      permission: ["pull_requests", "read"],
      handle: (ctx) => {
        const parsed = listQuery.safeParse(Object.fromEntries(ctx.query));
        if (!parsed.success) {
          const field = parsed.error.issues[0]?.path.join(".") ?? "query";
          throw new HttpError(422, "Validation Failed", {
            errors: [{ resource: "PullRequest", field, code: "invalid" }],
          });
        }
        const query = parsed.data;
        // `head` is `owner:branch` on GitHub; a bare branch name is accepted too.
        const headBranch = query.head?.includes(":")
          ? query.head.slice(query.head.indexOf(":") + 1)
          : query.head;
        const pulls = [...ctx.repo.issues.values()]
          .filter(isPull)
          .filter((pull) => query.state === "all" || pull.state === query.state)
          .filter((pull) => headBranch === undefined || pull.pull.headRef === headBranch)
          .filter((pull) => query.base === undefined || pull.pull.baseRef === query.base)
          .sort((a, b) => (query.direction === "asc" ? a.number - b.number : b.number - a.number));
        return pagedList(ctx, pulls, (pull) => presentPull(ctx.view, ctx.repo, pull));
      },
    }),
    repoRoute({
      method: "GET",
      template: "/repos/{owner}/{repo}/pulls/{pull_number}",
      operationId: "pulls/get",
      permission: ["pull_requests", "read"],
      handle: (ctx) =>
        json(presentPull(ctx.view, ctx.repo, unwrap(findPull(ctx.repo, intParam(ctx, "pull_number"))))),
    }),
    repoRoute({
      method: "GET",
      template: "/repos/{owner}/{repo}/commits/{commit_sha}/pulls",
      operationId: "repos/list-pull-requests-associated-with-commit",
      permission: ["pull_requests", "read"],
      handle: (ctx) => {
        const commit = commitParam(ctx, "commit_sha");
        return pagedList(ctx, pullsForCommit(ctx.repo, commit.sha), (pull) =>
          presentPull(ctx.view, ctx.repo, pull),
        );
      },
    }),
  ];
}
