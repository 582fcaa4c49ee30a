import { errorMessage } from "../../domain/error-message.js";
import { sendJson } from "./errors.js";
import type { Route } from "./route.js";

/**
 * `GET /api/health`: 200 when the database answers, 503 with the reason when it does not. Also
 * reports how long ago the last dispatch cycle finished and how many mirror jobs are pending.
 */
export const healthRoute: Route = {
  path: "/api/health",
  async handle({ res, lifecycle, mirror }) {
    try {
      await lifecycle.ping();
    } catch (error) {
      const reason = errorMessage(error);
      sendJson(res, 503, { status: "unavailable", database: "unreachable", reason });
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
    });
  },
};
