import { z } from "zod";
import { parseBody } from "../http/body.js";
import { HttpError, notFoundError } from "../http/http-error.js";
import { paginateByCursor } from "../http/pagination.js";
import type { Route } from "../http/route.js";
import { presentApp, presentInstallation } from "../presenters/apps.js";
import { presentDelivery, presentDeliverySummary } from "../presenters/deliveries.js";
import { presentRepository } from "../presenters/repositories.js";
import type { WebhookSender } from "../webhooks/deliveries.js";
import { findInstallation, issueToken } from "../world/apps.js";
import { isoTime } from "../world/clock.js";
import { appRoute, intParam, json, pagedList, repoRoute, unwrap } from "./define.js";

const permissionLevel = z.enum(["read", "write", "admin"]);
const tokenRequest = z
  .object({
    repositories: z.array(z.string()).max(500).optional(),
    repository_ids: z.array(z.number().int()).max(500).optional(),
    permissions: z.record(z.string(), permissionLevel).optional(),
  })
  .strict();

/** App-level routes: the app itself, its installations and tokens, and its webhook deliveries. */
export function appRoutes(deps: { readonly webhooks: WebhookSender }): Route[] {
  return [
    appRoute({
      method: "GET",
      template: "/app",
      operationId: "apps/get-authenticated",
      handle: (ctx) => json({ ...presentApp(ctx.view, ctx.app), client_id: ctx.app.clientId }),
    }),
    appRoute({
      method: "GET",
      template: "/app/installations",
      operationId: "apps/list-installations",
      handle: (ctx) =>
        pagedList(
          ctx,
          [...ctx.view.world.installations.values()].filter((i) => i.appId === ctx.app.id),
          (installation) => presentInstallation(ctx.view, installation),
        ),
    }),
    appRoute({
      method: "GET",
      template: "/app/installations/{installation_id}",
      operationId: "apps/get-installation",
      handle: (ctx) => {
        const installation = unwrap(findInstallation(ctx.view.world, intParam(ctx, "installation_id")));
        if (installation.appId !== ctx.app.id) throw notFoundError();
        return json(presentInstallation(ctx.view, installation));
      },
    }),
    appRoute({
      method: "POST",
      template: "/app/installations/{installation_id}/access_tokens",
      operationId: "apps/create-installation-access-token",
      handle: (ctx) => {
        const installation = unwrap(findInstallation(ctx.view.world, intParam(ctx, "installation_id")));
        if (installation.appId !== ctx.app.id) throw notFoundError();
        const body = parseBody(tokenRequest, ctx.body, "Installation");
        const request = {
          ...(body.repositories ? { repositories: body.repositories } : {}),
          ...(body.repository_ids ? { repositoryIds: body.repository_ids } : {}),
          ...(body.permissions ? { permissions: body.permissions } : {}),
        };
        const token = unwrap(issueToken(ctx.view.world, installation, request));
        const presented: Record<string, unknown> = {
          token: token.token,
          expires_at: isoTime(token.expiresAt),
          permissions: { ...token.permissions },
          repository_selection:
            token.repositoryIds === null && installation.repositories === "all" ? "all" : "selected",
        };
        if (token.repositoryIds) {
          presented.repositories = [...token.repositoryIds].map((id) =>
            presentRepository(ctx.view, ctx.view.world.requireRepository(id)),
          );
        }
        return json(presented, 201);
      },
    }),
    repoRoute({
      method: "GET",
      template: "/repos/{owner}/{repo}/installation",
      operationId: "apps/get-repo-installation",
      credential: "app-jwt",
      permission: null,
      // The pipeline found the app's installation on the repository (404 when there is none).
      handle: (ctx) => json(presentInstallation(ctx.view, ctx.installation)),
    }),
    appRoute({
      method: "GET",
      template: "/app/hook/deliveries",
      operationId: "apps/list-webhook-deliveries",
      handle: (ctx) => {
        const wanted = ctx.query.get("status");
        if (wanted !== null && wanted !== "success" && wanted !== "failure") {
          throw new HttpError(422, "Validation Failed", {
            errors: [{ resource: "Delivery", field: "status", code: "invalid" }],
          });
        }
        const newestFirst = [...deps.webhooks.deliveries]
          .reverse()
          .filter((d) => wanted === null || (wanted === "success") === (d.status === "OK"));
        const page = paginateByCursor(newestFirst, ctx.url);
        return json(page.items.map(presentDeliverySummary), 200, page.link ? { link: page.link } : undefined);
      },
    }),
    appRoute({
      method: "GET",
      template: "/app/hook/deliveries/{delivery_id}",
      operationId: "apps/get-webhook-delivery",
      handle: (ctx) => {
        const id = intParam(ctx, "delivery_id");
        const delivery = deps.webhooks.deliveries.find((d) => d.id === id);
        if (!delivery) throw notFoundError();
        return json(presentDelivery(delivery));
      },
    }),
    appRoute({
      method: "POST",
      template: "/app/hook/deliveries/{delivery_id}/attempts",
      operationId: "apps/redeliver-webhook-delivery",
      handle: (ctx) => {
        if (!deps.webhooks.target.url) throw new HttpError(400, "The app has no webhook URL configured");
        if (!deps.webhooks.redeliver(intParam(ctx, "delivery_id"))) throw notFoundError();
        return json({}, 202);
      },
    }),
  ];
}
