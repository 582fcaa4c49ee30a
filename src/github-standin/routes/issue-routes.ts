import { z } from "zod";
import { parseBody } from "../http/body.js";
import { HttpError } from "../http/http-error.js";
import type { RepoRouteContext, Route } from "../http/route.js";
import { presentRestIssue } from "../presenters/issues.js";
import { findIssue, openIssue, updateIssue } from "../world/issues.js";
import type { IssueRecord } from "../world/types.js";
import { intParam, json, pagedList, repoRoute, unwrap } from "./define.js";

const labelNames = z.array(
  z.union([z.string(), z.object({ name: z.string() }).transform((label) => label.name)]),
);

const createIssueBody = z.object({
  title: z.union([z.string().min(1), z.number().transform(String)]),
  body: z.string().nullable().optional(),
  labels: labelNames.optional(),
  assignees: z.array(z.string()).optional(),
  assignee: z.string().nullable().optional(),
});

const updateIssueBody = z.object({
  title: z
    .union([z.string().min(1), z.number().transform(String)])
    .nullable()
    .optional(),
  body: z.string().nullable().optional(),
  state: z.enum(["open", "closed"]).optional(),
  state_reason: z.enum(["completed", "not_planned", "reopened"]).nullable().optional(),
  labels: labelNames.optional(),
  assignees: z.array(z.string()).optional(),
});

const listQuery = z.object({
  state: z.enum(["open", "closed", "all"]).default("open"),
  labels: z.string().optional(),
  creator: z.string().optional(),
  /** Only issues updated at or after this time (ISO 8601). */
  since: z.iso.datetime({ offset: true }).optional(),
  sort: z.enum(["created", "updated", "comments"]).default("created"),
  direction: z.enum(["asc", "desc"]).default("desc"),
});

/** The issue for `{issue_number}`; 404 when there is none. Pull requests are issues too. */
export function issueParam(ctx: RepoRouteContext): IssueRecord {
  return unwrap(findIssue(ctx.repo, intParam(ctx, "issue_number")));
}

/** Locked issues refuse changes from apps without maintainer rights, as on GitHub (403). */
function assertWritable(issue: IssueRecord): void {
  if (issue.locked) throw new HttpError(403, "Unable to modify a locked issue");
}

function listIssues(ctx: RepoRouteContext) {
  const parsed = listQuery.safeParse(Object.fromEntries(ctx.query));
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join(".") ?? "query";
    throw new HttpError(422, "Validation Failed", {
      errors: [{ resource: "Issue", field, code: "invalid" }],
    });
  }
  const query = parsed.data;
  const wantedLabels = query.labels ? query.labels.split(",").map((name) => name.trim().toLowerCase()) : [];
  const since = query.since ? Date.parse(query.since) : Number.NEGATIVE_INFINITY;
  const issues = [...ctx.repo.issues.values()]
    .filter((issue) => query.state === "all" || issue.state === query.state)
    .filter((issue) => issue.updatedAt >= since)
    .filter(
      (issue) =>
        query.creator === undefined || ctx.view.world.requireUser(issue.userId).login === query.creator,
    )
    .filter((issue) =>
      wantedLabels.every((wanted) =>
        issue.labelIds.some((id) => ctx.repo.labels.get(id)?.name.toLowerCase() === wanted),
      ),
    )
    .sort((a, b) => {
      const key = (issue: IssueRecord) =>
        (query.sort === "updated" ? issue.updatedAt : issue.createdAt) * 1e6 + issue.number;
      return query.direction === "asc" ? key(a) - key(b) : key(b) - key(a);
    });
  return pagedList(ctx, issues, (issue) => presentRestIssue(ctx.view, ctx.repo, issue));
}

export function issueRoutes(): Route[] {
  return [
    repoRoute({
      method: "GET",
      template: "/repos/{owner}/{repo}/issues",
      operationId: "issues/list-for-repo",
      permission: ["issues", "read"],
      handle: listIssues,
    }),
    repoRoute({
      method: "POST",
      template: "/repos/{owner}/{repo}/issues",
      operationId: "issues/create",
      permission: ["issues", "write"],
      handle: (ctx) => {
        const body = parseBody(createIssueBody, ctx.body, "Issue");
        const assignees = [...(body.assignees ?? []), ...(body.assignee ? [body.assignee] : [])];
        for (const login of assignees) {
          if (!ctx.view.world.userByLogin(login)) {
            throw new HttpError(422, "Validation Failed", {
              errors: [{ resource: "Issue", field: "assignees", code: "invalid", value: login }],
            });
          }
        }
        const issue = openIssue(
          ctx.view.world,
          ctx.repo,
          { title: body.title, body: body.body ?? null, labels: body.labels ?? [], assignees },
          ctx.actor,
        );
        return json(presentRestIssue(ctx.view, ctx.repo, issue), 201, {
          location: `${ctx.view.urls.api}/repos/${ctx.view.world.fullName(ctx.repo)}/issues/${issue.number}`,
        });
      },
    }),
    repoRoute({
      method: "GET",
      template: "/repos/{owner}/{repo}/issues/{issue_number}",
      operationId: "issues/get",
      permission: ["issues", "read"],
      handle: (ctx) => json(presentRestIssue(ctx.view, ctx.repo, issueParam(ctx))),
    }),
    repoRoute({
      method: "PATCH",
      template: "/repos/{owner}/{repo}/issues/{issue_number}",
      operationId: "issues/update",
      permission: ["issues", "write"],
      handle: (ctx) => {
        const issue = issueParam(ctx);
        const body = parseBody(updateIssueBody, ctx.body, "Issue");
        assertWritable(issue);
        const changes = {
          ...(typeof body.title === "string" ? { title: body.title } : {}),
          ...(body.body !== undefined ? { body: body.body } : {}),
          ...(body.state !== undefined ? { state: body.state } : {}),
          ...(body.state_reason !== undefined ? { stateReason: body.state_reason } : {}),
          ...(body.labels !== undefined ? { labels: body.labels } : {}),
          ...(body.assignees !== undefined ? { assignees: body.assignees } : {}),
        };
        updateIssue(ctx.view.world, ctx.repo, issue, changes, ctx.actor);
        return json(presentRestIssue(ctx.view, ctx.repo, issue));
      },
    }),
  ];
}
