import { z } from "zod";
import { parseBody } from "../http/body.js";
import type { RepoRouteContext, Route } from "../http/route.js";
import { presentDeployment, presentDeploymentStatus } from "../presenters/deployments.js";
import {
  createDeployment,
  createDeploymentStatus,
  findDeployment,
  listDeployments,
} from "../world/deployments.js";
import { DEPLOYMENT_STATES } from "../world/types.js";
import { intParam, json, pagedList, repoRoute, unwrap } from "./define.js";

const createBody = z.object({
  ref: z.string().min(1),
  task: z.string().optional(),
  auto_merge: z.boolean().optional(),
  required_contexts: z.array(z.string()).optional(),
  payload: z
    .union([z.record(z.string(), z.unknown()), z.string().transform((text) => ({ text }))])
    .optional(),
  environment: z.string().optional(),
  description: z.string().nullable().optional(),
  transient_environment: z.boolean().optional(),
  production_environment: z.boolean().optional(),
});

const statusBody = z.object({
  state: z.enum(DEPLOYMENT_STATES),
  target_url: z.string().optional(),
  log_url: z.string().optional(),
  description: z.string().max(140).optional(),
  environment: z.string().optional(),
  environment_url: z.string().optional(),
  auto_inactive: z.boolean().optional(),
});

const deploymentParam = (ctx: RepoRouteContext) =>
  unwrap(findDeployment(ctx.repo, intParam(ctx, "deployment_id")));

export function deploymentRoutes(): Route[] {
  return [
    repoRoute({
      method: "GET",
      template: "/repos/{owner}/{repo}/deployments",
      operationId: "repos/list-deployments",
      permission: ["deployments", "read"],
      handle: (ctx) => {
        const get = (name: string) => ctx.query.get(name) ?? undefined;
        const filter = Object.fromEntries(
          Object.entries({
            sha: get("sha"),
            ref: get("ref"),
            task: get("task"),
            environment: get("environment"),
          }).filter(([, value]) => value !== undefined),
        );
        return pagedList(ctx, listDeployments(ctx.repo, filter), (d) =>
          presentDeployment(ctx.view, ctx.repo, d),
        );
      },
    }),
    repoRoute({
      method: "POST",
      template: "/repos/{owner}/{repo}/deployments",
      operationId: "repos/create-deployment",
      permission: ["deployments", "write"],
      handle: (ctx) => {
        const body = parseBody(createBody, ctx.body, "Deployment");
        const input = {
          ref: body.ref,
          ...(body.task !== undefined ? { task: body.task } : {}),
          ...(body.environment !== undefined ? { environment: body.environment } : {}),
          ...(body.payload !== undefined ? { payload: body.payload } : {}),
          description: body.description ?? null,
          ...(body.transient_environment !== undefined
            ? { transientEnvironment: body.transient_environment }
            : {}),
          ...(body.production_environment !== undefined
            ? { productionEnvironment: body.production_environment }
            : {}),
        };
        const deployment = unwrap(createDeployment(ctx.view.world, ctx.repo, input, ctx.actor));
        return json(presentDeployment(ctx.view, ctx.repo, deployment), 201);
      },
    }),
    repoRoute({
      method: "GET",
      template: "/repos/{owner}/{repo}/deployments/{deployment_id}",
      operationId: "repos/get-deployment",
      permission: ["deployments", "read"],
      handle: (ctx) => json(presentDeployment(ctx.view, ctx.repo, deploymentParam(ctx))),
    }),
    repoRoute({
      method: "GET",
      template: "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses",
      operationId: "repos/list-deployment-statuses",
      permission: ["deployments", "read"],
      handle: (ctx) => {
        const deployment = deploymentParam(ctx);
        const newestFirst = [...deployment.statuses].reverse();
        return pagedList(ctx, newestFirst, (status) =>
          presentDeploymentStatus(ctx.view, ctx.repo, deployment, status),
        );
      },
    }),
    repoRoute({
      method: "POST",
      template: "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses",
      operationId: "repos/create-deployment-status",
      permission: ["deployments", "write"],
      handle: (ctx) => {
        const deployment = deploymentParam(ctx);
        const body = parseBody(statusBody, ctx.body, "DeploymentStatus");
        const input = {
          state: body.state,
          ...(body.description !== undefined ? { description: body.description } : {}),
          ...(body.environment !== undefined ? { environment: body.environment } : {}),
          ...(body.log_url !== undefined || body.target_url !== undefined
            ? { logUrl: body.log_url ?? body.target_url ?? "" }
            : {}),
          ...(body.environment_url !== undefined ? { environmentUrl: body.environment_url } : {}),
        };
        const status = createDeploymentStatus(ctx.view.world, ctx.repo, deployment, input, ctx.actor);
        return json(presentDeploymentStatus(ctx.view, ctx.repo, deployment, status), 201);
      },
    }),
  ];
}
