import type { IncomingMessage, ServerResponse } from "node:http";
import { sendError, sendJson } from "./errors.js";
import type { ApiLifecycle } from "./port.js";
import type { Route } from "./route.js";

/**
 * `GET /api/health`: 200 when the database answers, 503 when it does not (the database's error goes
 * to the log only: health says up or down, never where the database is or why it refused). Also
 * reports how long ago the last dispatch cycle finished, how many mirror jobs are pending and, on
 * both answers, each periodic task's last run and last error (src/app/periodic/).
 */
export const healthRoute: Route = {
  path: "/api/health",
  async handle({ res, lifecycle, mirror, periodic, logError }) {
    const tasks = periodic?.() ?? [];
    try {
      await lifecycle.ping();
    } catch (error) {
      logError?.(error, "health: the database does not answer");
      sendJson(res, 503, { status: "unavailable", database: "unreachable", periodic: tasks });
      return;
    }
    const [[cycle], mirrorBacklog] = await Promise.all([lifecycle.recentDispatchCycles(1), mirror.backlog()]);
    const now = lifecycle.clock.now().getTime();
    sendJson(res, 200, {
      status: "ok",
      database: "ok",
      last_dispatch_cycle: cycle
        ? {
            id: cycle.id,
            outcome: cycle.outcome,
            finished_at: cycle.finishedAt,
            age_seconds: Math.max(0, Math.round((now - cycle.finishedAt.getTime()) / 1000)),
          }
        : null,
      mirror_backlog: mirrorBacklog,
      periodic: tasks,
    });
  },
};

/**
 * `GET /api/health` on the public listener: up or down, nothing else (no reason, no backlog, no
 * cycle): whoever reaches the server learns only whether the database answers. Returns false for
 * every other path.
 */
export function publicHealthHandler(lifecycle: Pick<ApiLifecycle, "ping">) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (new URL(req.url ?? "/", "http://localhost").pathname !== "/api/health") return false;
    if (req.method !== "GET") {
      sendError(res, 405, "method_not_allowed", `${req.method} is not allowed`, {
        headers: { allow: "GET" },
      });
      return true;
    }
    try {
      await lifecycle.ping();
      sendJson(res, 200, { status: "ok" });
    } catch {
      sendJson(res, 503, { status: "unavailable" });
    }
    return true;
  };
}
