import { z } from "zod";
import { parseBody } from "../http/body.js";
import { HttpError } from "../http/http-error.js";
import type { Route } from "../http/route.js";
import { presentWorkflowRun } from "../presenters/workflows.js";
import { findWorkflow, listWorkflowRuns, startWorkflowRun } from "../world/workflows.js";
import { intParam, json, pagedWrapped, param, repoRoute, unwrap } from "./define.js";

const dispatchBody = z.object({
  ref: z.string().min(1),
  inputs: z.record(z.string(), z.unknown()).optional(),
  return_run_details: z.boolean().optional(),
});

export function actionRoutes(): Route[] {
  return [
    repoRoute({
      method: "POST",
      template: "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
      operationId: "actions/create-workflow-dispatch",
      permission: ["actions", "write"],
      handle: (ctx) => {
        const workflow = unwrap(findWorkflow(ctx.repo, param(ctx, "workflow_id")));
        const body = parseBody(dispatchBody, ctx.body, "Workflow");
        // GitHub allows at most 25 inputs (422 otherwise).
        if (Object.keys(body.inputs ?? {}).length > 25) {
          throw new HttpError(422, "Validation Failed", {
            errors: [{ resource: "Workflow", field: "inputs", code: "invalid" }],
          });
        }
        const run = unwrap(
          startWorkflowRun(
            ctx.view.world,
            ctx.repo,
            workflow,
            { ref: body.ref, inputs: body.inputs ?? {} },
            ctx.actor,
          ),
        );
        if (!body.return_run_details) return { status: 204 };
        const presented = presentWorkflowRun(ctx.view, ctx.repo, run);
        return json({ workflow_run_id: run.id, run_url: presented.url, html_url: presented.html_url });
      },
    }),
    repoRoute({
      method: "GET",
      template: "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs",
      operationId: "actions/list-workflow-runs",
      permission: ["actions", "read"],
      handle: (ctx) => {
        const workflow = unwrap(findWorkflow(ctx.repo, param(ctx, "workflow_id")));
        const get = (name: string) => ctx.query.get(name) ?? undefined;
        const filter = Object.fromEntries(
          Object.entries({
            status: get("status"),
            branch: get("branch"),
            event: get("event"),
            headSha: get("head_sha"),
          }).filter(([, value]) => value !== undefined),
        );
        const runs = listWorkflowRuns(ctx.repo, workflow.id, filter);
        return pagedWrapped(ctx, "workflow_runs", runs, (run) => presentWorkflowRun(ctx.view, ctx.repo, run));
      },
    }),
    repoRoute({
      method: "GET",
      template: "/repos/{owner}/{repo}/actions/runs/{run_id}",
      operationId: "actions/get-workflow-run",
      permission: ["actions", "read"],
      handle: (ctx) => {
        const run = ctx.repo.workflowRuns.get(intParam(ctx, "run_id"));
        if (!run) throw new HttpError(404, "Not Found");
        return json(presentWorkflowRun(ctx.view, ctx.repo, run));
      },
    }),
  ];
}
