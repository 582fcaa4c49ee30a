import { z } from "zod";
import { parseBody } from "../http/body.js";
import { HttpError } from "../http/http-error.js";
import type { RepoRouteContext, Route } from "../http/route.js";
import { presentCheckRun } from "../presenters/check-runs.js";
import { checkRunsFor, createCheckRun, findCheckRun, updateCheckRun } from "../world/checks.js";
import { CHECK_CONCLUSIONS } from "../world/types.js";
import { commitParam } from "./commit-routes.js";
import { intParam, json, pagedWrapped, repoRoute, unwrap } from "./define.js";

const timestamp = z.iso.datetime({ offset: true }).transform((value) => Date.parse(value));
const output = z.object({
  title: z.string().optional(),
  summary: z.string().max(65535).optional(),
  text: z.string().max(65535).optional(),
});
const fields = {
  name: z.string().min(1),
  details_url: z.string().optional(),
  external_id: z.string().optional(),
  status: z.enum(["queued", "in_progress", "completed"]).optional(),
  started_at: timestamp.optional(),
  conclusion: z.enum(CHECK_CONCLUSIONS).optional(),
  completed_at: timestamp.optional(),
  output: output.optional(),
};
const createBody = z.object({ ...fields, head_sha: z.string().min(1) });
const updateBody = z.object({ ...fields, name: fields.name.optional() });

/** Turns the parsed body into the world's input, leaving out what was not sent. */
function toInput(body: z.infer<typeof updateBody>) {
  return {
    ...(body.name !== undefined ? { name: body.name } : {}),
    ...(body.status !== undefined ? { status: body.status } : {}),
    ...(body.conclusion !== undefined ? { conclusion: body.conclusion } : {}),
    ...(body.details_url !== undefined ? { detailsUrl: body.details_url } : {}),
    ...(body.external_id !== undefined ? { externalId: body.external_id } : {}),
    ...(body.started_at !== undefined ? { startedAt: body.started_at } : {}),
    ...(body.completed_at !== undefined ? { completedAt: body.completed_at } : {}),
    ...(body.output !== undefined
      ? {
          output: {
            ...(body.output.title !== undefined ? { title: body.output.title } : {}),
            ...(body.output.summary !== undefined ? { summary: body.output.summary } : {}),
            ...(body.output.text !== undefined ? { text: body.output.text } : {}),
          },
        }
      : {}),
  };
}

const runParam = (ctx: RepoRouteContext) => unwrap(findCheckRun(ctx.repo, intParam(ctx, "check_run_id")));

export function checkRoutes(): Route[] {
  return [
    repoRoute({
      method: "POST",
      template: "/repos/{owner}/{repo}/check-runs",
      operationId: "checks/create",
      permission: ["checks", "write"],
      handle: (ctx) => {
        const body = parseBody(createBody, ctx.body, "CheckRun");
        const input = { ...toInput(body), name: body.name, headSha: body.head_sha };
        const run = unwrap(
          createCheckRun(ctx.view.world, ctx.repo, ctx.installation.appId, input, ctx.actor),
        );
        return json(presentCheckRun(ctx.view, ctx.repo, run), 201);
      },
    }),
    repoRoute({
      method: "GET",
      template: "/repos/{owner}/{repo}/check-runs/{check_run_id}",
      operationId: "checks/get",
      permission: ["checks", "read"],
      handle: (ctx) => json(presentCheckRun(ctx.view, ctx.repo, runParam(ctx))),
    }),
    repoRoute({
      method: "PATCH",
      template: "/repos/{owner}/{repo}/check-runs/{check_run_id}",
      operationId: "checks/update",
      permission: ["checks", "write"],
      handle: (ctx) => {
        const run = runParam(ctx);
        // Only the app that created a check run may change it.
        if (run.appId !== ctx.installation.appId)
          throw new HttpError(
            403,
            `Invalid app_id \`${ctx.installation.appId}\` - check run can only be modified by the GitHub App that created it.`,
          );
        const body = parseBody(updateBody, ctx.body, "CheckRun");
        return json(
          presentCheckRun(
            ctx.view,
            ctx.repo,
            unwrap(updateCheckRun(ctx.view.world, ctx.repo, run, toInput(body), ctx.actor)),
          ),
        );
      },
    }),
    repoRoute({
      method: "GET",
      template: "/repos/{owner}/{repo}/commits/{ref}/check-runs",
      operationId: "checks/list-for-ref",
      permission: ["checks", "read"],
      handle: (ctx) => {
        const commit = commitParam(ctx);
        const status = ctx.query.get("status");
        const appId = ctx.query.get("app_id");
        const checkName = ctx.query.get("check_name");
        const runs = checkRunsFor(ctx.repo, commit.sha, {
          ...(checkName !== null ? { checkName } : {}),
          ...(status === "queued" || status === "in_progress" || status === "completed" ? { status } : {}),
          ...(appId !== null ? { appId: Number(appId) } : {}),
          latestOnly: ctx.query.get("filter") !== "all",
        });
        return pagedWrapped(ctx, "check_runs", runs, (run) => presentCheckRun(ctx.view, ctx.repo, run));
      },
    }),
  ];
}
