import type { IncomingMessage, ServerResponse } from "node:http";
import type { Store } from "../../store/index.js";
import { EVERYTHING, type Visibility } from "../auth/visibility.js";
import type { PeriodicTaskStatus } from "../periodic/status.js";
import { sendError } from "./errors.js";
import { healthRoute } from "./health.js";
import type { ApiLifecycle } from "./port.js";
import { matchPath, type Route } from "./route.js";
import { ticketListRoute, ticketRoute } from "./tickets.js";
import { alertsRoute, dispatchCyclesRoute, inboxRoute } from "./work.js";

/** The read-only JSON API (docs/api.md). Every route is GET (HEAD is not served). */
const ROUTES: readonly Route[] = [
  healthRoute,
  ticketListRoute,
  ticketRoute,
  inboxRoute,
  alertsRoute,
  dispatchCyclesRoute,
];

export interface ApiDeps {
  readonly lifecycle: ApiLifecycle;
  /** The mirror outbox, for the health route's backlog. */
  readonly mirror: Pick<Store["mirror"], "backlog">;
  /** The app's periodic tasks' status (src/app/periodic/), shown by `/api/health`. */
  readonly periodic?: () => readonly PeriodicTaskStatus[];
  /** GitHub's web origin for links (default https://github.com; see `githubWebUrl(apiUrl)`). */
  readonly githubWebUrl?: string | undefined;
  /** Where an unexpected error goes (its details never reach the client). */
  readonly logError?: (error: unknown, message: string) => void;
}

/**
 * A Probot handler (`options.addHandler`): answers `/api/health` and `/api/v1/**`, returns false for
 * every other path so the webhook middleware and Probot's own handlers still see theirs. The reader
 * sees what `visibility` allows (default: everything; src/app/auth/ui-handler.ts passes the reader's).
 */
export function apiHandler(deps: ApiDeps) {
  return async (
    req: IncomingMessage,
    res: ServerResponse,
    visibility: Visibility = EVERYTHING,
  ): Promise<boolean> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    if (path !== "/api/health" && !path.startsWith("/api/v1/") && path !== "/api/v1") return false;
    for (const route of ROUTES) {
      const params = matchPath(route.path, path);
      if (!params) continue;
      if (req.method !== "GET") {
        sendError(res, 405, "method_not_allowed", `${req.method} is not allowed: the API is read-only`, {
          headers: { allow: "GET" },
        });
        return true;
      }
      try {
        await route.handle({
          req,
          res,
          url,
          params,
          lifecycle: deps.lifecycle,
          mirror: deps.mirror,
          periodic: deps.periodic,
          logError: deps.logError,
          visibility,
          githubWebUrl: deps.githubWebUrl ?? "https://github.com",
        });
      } catch (error) {
        deps.logError?.(error, `api ${route.path} failed`);
        if (!res.headersSent) sendError(res, 500, "internal", "the request failed; see the app's log");
        else res.end();
      }
      return true;
    }
    sendError(res, 404, "not_found", `no route ${path}`);
    return true;
  };
}
