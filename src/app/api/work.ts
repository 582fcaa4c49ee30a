import { sendJson } from "./errors.js";
import { AlertsQuery, InboxQuery, LimitQuery } from "./query.js";
import { parseQuery, type Route, type RouteContext } from "./route.js";

async function readsEverything(ctx: RouteContext): Promise<boolean> {
  return (await ctx.visibility.readable(async () => [])) === null;
}

/** `GET /api/v1/inbox`: inbox items, oldest first, optionally one state or kind. */
export const inboxRoute: Route = {
  path: "/api/v1/inbox",
  async handle(ctx) {
    const query = parseQuery(ctx, InboxQuery);
    if (!query) return;
    const repositories = await ctx.visibility.readable(() => ctx.lifecycle.ticketRepositories());
    const items = await ctx.lifecycle.inbox.list({
      repositories,
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
    // Alerts name no single repository: shown only to readers of every repository.
    if (!(await readsEverything(ctx))) return sendJson(ctx.res, 200, { items: [] });
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
    // A cycle's decisions name tickets of many repositories: shown only to readers of every repository.
    if (!(await readsEverything(ctx))) return sendJson(ctx.res, 200, { items: [] });
    const items = await ctx.lifecycle.recentDispatchCycles(query.limit);
    sendJson(ctx.res, 200, { items });
  },
};
