import type { AttemptRow } from "../../db/schema.js";
import { redactDeep } from "../../domain/redact.js";
import { parseTicketKey } from "../../domain/ticket-key.js";
import { ticketLinks } from "../board/github-links.js";
import { sendError, sendJson } from "./errors.js";
import { TicketListQuery } from "./query.js";
import { parseQuery, type Route } from "./route.js";
import { ticketPage } from "./ticket-page.js";

/** `GET /api/v1/tickets`: filtered by state, assignee and campaign, in pick order, a cursor per page. */
export const ticketListRoute: Route = {
  path: "/api/v1/tickets",
  async handle(ctx) {
    const query = parseQuery(ctx, TicketListQuery);
    if (!query) return;
    const repositories = await ctx.visibility.readable(() => ctx.lifecycle.ticketRepositories());
    const page = await ticketPage(ctx.lifecycle, query, repositories);
    sendJson(ctx.res, 200, { items: page.items, next_cursor: page.nextCursor });
  },
};

/** An attempt without its launch key (what a launcher presents to start the worker: not for readers). */
function publicAttempt({ launchKey: _launchKey, ...attempt }: AttemptRow) {
  return attempt;
}

/** `GET /api/v1/tickets/:key`: the ticket with its attempts, events and evidence verdicts. */
export const ticketRoute: Route = {
  path: "/api/v1/tickets/:key",
  async handle(ctx) {
    const raw = ctx.params.key ?? "";
    const parsed = parseTicketKey(raw);
    if (!parsed.ok) {
      sendError(ctx.res, 400, "invalid_request", parsed.message, {
        issues: [{ parameter: "key", message: parsed.message }],
      });
      return;
    }
    const key = `${parsed.prefix}-${parsed.number}`;
    const { lifecycle } = ctx;
    const ticket = await lifecycle.findTicket(key);
    // Another repository's ticket is "not found", as one that does not exist: nothing to learn.
    if (!ticket || !(await ctx.visibility.canRead(ticket.repository))) {
      sendError(ctx.res, 404, "not_found", `no ticket ${key}`);
      return;
    }
    const [attempts, events, verdicts] = await Promise.all([
      lifecycle.attemptsOf(ticket.id),
      lifecycle.ticketHistory(ticket.id),
      lifecycle.evidence.verdictsOf(ticket.id),
    ]);
    // Attempts and events quote agents (logs, questions, reasons): masked when stored, and again
    // here for rows stored before the masker covered them.
    sendJson(ctx.res, 200, {
      ticket,
      attempts: attempts.map((a) => redactDeep(publicAttempt(a))),
      events: redactDeep(events),
      verdicts,
      links: ticketLinks(ctx.githubWebUrl, ticket, attempts, verdicts),
    });
  },
};
