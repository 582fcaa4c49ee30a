import { z } from "zod";
import { parseBody } from "../http/body.js";
import { HttpError } from "../http/http-error.js";
import type { RepoRouteContext, Route } from "../http/route.js";
import { presentLabel } from "../presenters/issues.js";
import { addIssueLabels, removeIssueLabel, setIssueLabels } from "../world/issues.js";
import { createLabel, requireLabel } from "../world/labels.js";
import type { IssueRecord, LabelRecord } from "../world/types.js";
import { json, pagedList, param, repoRoute, unwrap } from "./define.js";
import { issueParam } from "./issue-routes.js";

const createLabelBody = z.object({
  name: z.string().min(1).max(50),
  color: z.string().optional(),
  description: z.string().max(100).nullable().optional(),
});

/** `labels` as GitHub accepts it on add/set: `["a"]`, `{ labels: ["a"] }` or `[{ name: "a" }]`. */
const labelList = z.array(
  z.union([z.string().min(1), z.object({ name: z.string().min(1) }).transform((l) => l.name)]),
);
const labelsBody = z.union([
  labelList,
  z.object({ labels: labelList.optional() }).transform((body) => body.labels ?? []),
  z
    .object({ labels: z.array(z.object({ name: z.string().min(1) })) })
    .transform((body) => body.labels.map((l) => l.name)),
]);

function issueLabels(ctx: RepoRouteContext, issue: IssueRecord) {
  const labels = issue.labelIds.flatMap((id) => {
    const label = ctx.repo.labels.get(id);
    return label ? [presentLabel(ctx.view, ctx.repo, label)] : [];
  });
  return json(labels);
}

function labelsOf(ctx: RepoRouteContext): string[] {
  if (ctx.body === undefined)
    throw new HttpError(422, "Validation Failed", {
      errors: [{ resource: "Label", field: "labels", code: "missing_field" }],
    });
  return parseBody(labelsBody, ctx.body, "Label");
}

export function labelRoutes(): Route[] {
  const present = (ctx: RepoRouteContext) => (label: LabelRecord) => presentLabel(ctx.view, ctx.repo, label);
  return [
    repoRoute({
      method: "GET",
      template: "/repos/{owner}/{repo}/labels",
      operationId: "issues/list-labels-for-repo",
      permission: ["issues", "read"],
      handle: (ctx) => pagedList(ctx, [...ctx.repo.labels.values()], present(ctx)),
    }),
    repoRoute({
      method: "POST",
      template: "/repos/{owner}/{repo}/labels",
      operationId: "issues/create-label",
      permission: ["issues", "write"],
      handle: (ctx) => {
        const body = parseBody(createLabelBody, ctx.body, "Label");
        const input = {
          name: body.name,
          ...(body.color ? { color: body.color } : {}),
          description: body.description ?? null,
        };
        return json(present(ctx)(unwrap(createLabel(ctx.view.world, ctx.repo, input, ctx.actor))), 201);
      },
    }),
    repoRoute({
      method: "GET",
      template: "/repos/{owner}/{repo}/labels/{name}",
      operationId: "issues/get-label",
      permission: ["issues", "read"],
      handle: (ctx) => json(present(ctx)(unwrap(requireLabel(ctx.repo, param(ctx, "name"))))),
    }),
    repoRoute({
      method: "GET",
      template: "/repos/{owner}/{repo}/issues/{issue_number}/labels",
      operationId: "issues/list-labels-on-issue",
      permission: ["issues", "read"],
      handle: (ctx) => issueLabels(ctx, issueParam(ctx)),
    }),
    repoRoute({
      method: "POST",
      template: "/repos/{owner}/{repo}/issues/{issue_number}/labels",
      operationId: "issues/add-labels",
      permission: ["issues", "write"],
      handle: (ctx) => {
        const issue = issueParam(ctx);
        addIssueLabels(ctx.view.world, ctx.repo, issue, labelsOf(ctx), ctx.actor);
        return issueLabels(ctx, issue);
      },
    }),
    repoRoute({
      method: "PUT",
      template: "/repos/{owner}/{repo}/issues/{issue_number}/labels",
      operationId: "issues/set-labels",
      permission: ["issues", "write"],
      handle: (ctx) => {
        const issue = issueParam(ctx);
        setIssueLabels(ctx.view.world, ctx.repo, issue, labelsOf(ctx), ctx.actor);
        return issueLabels(ctx, issue);
      },
    }),
    repoRoute({
      method: "DELETE",
      template: "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}",
      operationId: "issues/remove-label",
      permission: ["issues", "write"],
      handle: (ctx) => {
        const issue = issueParam(ctx);
        unwrap(removeIssueLabel(ctx.view.world, ctx.repo, issue, param(ctx, "name"), ctx.actor));
        return issueLabels(ctx, issue);
      },
    }),
  ];
}
