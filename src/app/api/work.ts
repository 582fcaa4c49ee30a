import { sendJson } from "./errors.js";
import { AlertsQuery, InboxQuery, LimitQuery } from "./query.js";
import { parseQuery, type Route } from "./route.js";

/** `GET /api/v1/inbox`: inbox items, oldest first, optionally one state or kind. */
export const inboxRoute: Route = {
  path: "/api/v1/inbox",
  async handle(ctx) {
    const query = parseQuery(ctx, InboxQuery);
    if (!query) return;
    const items = await ctx.lifecycle.inbox.list({
      ...(query.state ? { states: [query.state] } : {}),
      kind: query.kind,
      limit: query.limit,
    });
    sendJson(ctx.res, 200, { items });
  },
};

/** `GET /api/v1/alerts`: operator alerts, most recently seen first, optionally one status. */
export const alertsRoute: Route = {
  path: "/api/v1/alerts",
  async handle(ctx) {
    const query = parseQuery(ctx, AlertsQuery);
    if (!query) return;
    const items = await ctx.lifecycle.alerts.list({ status: query.status, limit: query.limit });
    sendJson(ctx.res, 200, { items });
  },
};

/** `GET /api/v1/dispatch/cycles`: the most recent dispatch cycles, newest first, with their decisions. */
export const dispatchCyclesRoute: Route = {
  path: "/api/v1/dispatch/cycles",
  async handle(ctx) {
    const query = parseQuery(ctx, LimitQuery);
    if (!query) return;
    const items = await ctx.lifecycle.recentDispatchCycles(query.limit);
    sendJson(ctx.res, 200, { items });
  },
};
