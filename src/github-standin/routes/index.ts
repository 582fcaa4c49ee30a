import type { Route } from "../http/route.js";
import type { WebhookSender } from "../webhooks/deliveries.js";
import { actionRoutes } from "./action-routes.js";
import { appRoutes } from "./app-routes.js";
import { checkRoutes } from "./check-routes.js";
import { commentRoutes } from "./comment-routes.js";
import { commitRoutes } from "./commit-routes.js";
import { deploymentRoutes } from "./deployment-routes.js";
import { issueRoutes } from "./issue-routes.js";
import { labelRoutes } from "./label-routes.js";
import { pullRoutes } from "./pull-routes.js";
import { repositoryRoutes } from "./repository-routes.js";

/** The stand-in's route table: every REST operation it implements, as data. */
export function buildRoutes(deps: { readonly webhooks: WebhookSender }): Route[] {
  return [
    ...appRoutes(deps),
    ...repositoryRoutes(),
    ...issueRoutes(),
    ...labelRoutes(),
    ...commentRoutes(),
    ...commitRoutes(),
    ...pullRoutes(),
    ...checkRoutes(),
    ...deploymentRoutes(),
    ...actionRoutes(),
  ];
}
