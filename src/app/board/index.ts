import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseTicketKey } from "../../domain/ticket-key.js";
import { matchPath } from "../api/route.js";
import { EVERYTHING, type Visibility } from "../auth/visibility.js";
import { type BoardView, renderBoardPage } from "./board-page.js";
import { type ErrorPage, renderErrorPage } from "./error-page.js";
import { ticketLinks } from "./github-links.js";
import { REFRESH_HEADER, type RenderOptions } from "./layout.js";
import type { BoardLifecycle } from "./port.js";
import { BOARD_FILTERS, BoardQuery, parseQuery, TicketPageQuery } from "./query.js";
import { renderTicketPage, type TicketView } from "./ticket-page.js";

export interface BoardDeps {
  readonly lifecycle: BoardLifecycle;
  /** Where an unexpected error goes (its details never reach the page). */
  readonly logError?: (error: unknown, message: string) => void;
  /** GitHub's web origin for links back to issues and runs (default https://github.com). */
  readonly githubWebUrl?: string | undefined;
  /** Seconds between the pages' self-refreshes (default 15). */
  readonly refreshSeconds?: number;
}

/** Cards per column at most; the column header still counts them all. */
export const CARDS_PER_COLUMN = 50;
const PANEL_LIMIT = 20;
const CYCLES_SHOWN = 5;
/** Cycles read for the panel: enough that a run of repeats still leaves other cycles to show. */
const CYCLES_READ = 50;

/**
 * The read-only board (docs/board.md) as a Probot handler (`options.addHandler`): answers `/board`
 * and `/board/tickets/:key`, returns false for every other path.
 */
export function boardHandler(deps: BoardDeps) {
  const refreshSeconds = deps.refreshSeconds ?? 15;
  return async (
    req: IncomingMessage,
    res: ServerResponse,
    visibility: Visibility = EVERYTHING,
  ): Promise<boolean> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname.replace(/\/+$/, "");
    if (path !== "/board" && !path.startsWith("/board/")) return false;
    const nonce = randomBytes(18).toString("base64");
    const now = deps.lifecycle.clock.now();
    const fail = (error: ErrorPage, headers: Record<string, string> = {}) =>
      sendHtml(res, error.status, renderErrorPage(error, nonce, now), nonce, headers);
    const ticketParams = matchPath("/board/tickets/:key", path);
    if (path !== "/board" && !ticketParams) {
      fail({ status: 404, heading: "Not found", reasons: [`There is no page ${path}.`] });
      return true;
    }
    if (req.method !== "GET") {
      fail(
        {
          status: 405,
          heading: "Method not allowed",
          reasons: [`${req.method} is not allowed: the board is read-only.`],
        },
        { allow: "GET" },
      );
      return true;
    }
    try {
      const page = ticketParams
        ? await ticketPage(deps.lifecycle, ticketParams.key ?? "", url, now, visibility, deps.githubWebUrl)
        : await boardPage(deps.lifecycle, url, now, visibility);
      const partial = req.headers[REFRESH_HEADER] === "1";
      if (page.ok) sendHtml(res, 200, page.render({ nonce, refreshSeconds, partial }), nonce);
      else fail(page.error);
    } catch (error) {
      deps.logError?.(error, `board ${path} failed`);
      if (!res.headersSent)
        fail({
          status: 500,
          heading: "Something went wrong",
          reasons: ["The page could not be read; see the app's log."],
        });
      else res.end();
    }
    return true;
  };
}

type PageResult =
  | { readonly ok: true; readonly render: (options: RenderOptions) => string }
  | { readonly ok: false; readonly error: ErrorPage };

function badRequest(issues: readonly { parameter: string; message: string }[]): PageResult {
  return {
    ok: false,
    error: {
      status: 400,
      heading: "Bad request",
      reasons: issues.map((i) => `${i.parameter}: ${i.message}`),
    },
  };
}

async function boardPage(
  lifecycle: BoardLifecycle,
  url: URL,
  now: Date,
  visibility: Visibility,
): Promise<PageResult> {
  const query = parseQuery(BoardQuery, url.searchParams, BOARD_FILTERS);
  if (!query.ok) return badRequest(query.issues);
  const { state, repository, priority, assignee, campaign } = query.value;
  const filter = { state, repository, priority, assignee, campaign };
  const readable = await visibility.readable(() => lifecycle.ticketRepositories());
  // One repository asked for: within what the reader may read (nothing, if not readable).
  const repositories = repository
    ? (readable ?? [repository]).filter((r) => r.toLowerCase() === repository.toLowerCase())
    : readable;
  // Alerts, cycles and task settings name no single repository: only readers of every one see them.
  const everything = readable === null;
  const [columns, inbox, alerts, cycles, tasks] = await Promise.all([
    lifecycle.board.columns({ assignee, campaign, priority, repositories, perColumn: CARDS_PER_COLUMN }),
    lifecycle.inbox.list({ states: ["pending", "delivered"], repositories: readable, limit: PANEL_LIMIT }),
    everything ? lifecycle.alerts.list({ status: "open", limit: PANEL_LIMIT }) : [],
    everything ? lifecycle.recentDispatchCycles(CYCLES_READ) : [],
    everything ? lifecycle.tasks.settings() : [],
  ]);
  const view: BoardView = {
    now,
    signedInAs: visibility.who.startsWith("user:") ? visibility.who.slice("user:".length) : null,
    filter,
    // `?state=done`: only that state's column.
    columns: state ? columns.filter((column) => column.state === state) : columns,
    inbox,
    inboxLimit: PANEL_LIMIT,
    alerts,
    alertsLimit: PANEL_LIMIT,
    cycles,
    cycleGroupsShown: CYCLES_SHOWN,
    tasks,
  };
  return { ok: true, render: (options) => renderBoardPage(view, options) };
}

async function ticketPage(
  lifecycle: BoardLifecycle,
  rawKey: string,
  url: URL,
  now: Date,
  visibility: Visibility,
  githubWebUrl = "https://github.com",
): Promise<PageResult> {
  const query = parseQuery(TicketPageQuery, url.searchParams);
  if (!query.ok) return badRequest(query.issues);
  const parsed = parseTicketKey(rawKey);
  if (!parsed.ok) return badRequest([{ parameter: "key", message: parsed.message }]);
  const key = `${parsed.prefix}-${parsed.number}`;
  const ticket = await lifecycle.findTicket(key);
  // Another repository's ticket is "not found", as one that does not exist.
  if (!ticket || !(await visibility.canRead(ticket.repository))) {
    return {
      ok: false,
      error: { status: 404, heading: "Not found", reasons: [`There is no ticket ${key}.`] },
    };
  }
  const [attempts, events, verdicts, questions, inbox] = await Promise.all([
    lifecycle.attemptsOf(ticket.id),
    lifecycle.ticketHistory(ticket.id),
    lifecycle.evidence.verdictsOf(ticket.id),
    lifecycle.questionsOf(ticket.id),
    lifecycle.inbox.ofTicket(ticket.id),
  ]);
  const links = ticketLinks(githubWebUrl, ticket, attempts, verdicts);
  const view: TicketView = { now, ticket, attempts, events, verdicts, questions, inbox, links };
  return { ok: true, render: (options) => renderTicketPage(view, options) };
}

/**
 * Security headers of every board answer: a CSP that allows only this response's inline style and
 * script (by nonce) and requests to this origin, no caching, no framing, no sniffing, no referrer.
 */
export function securityHeaders(nonce: string): Record<string, string> {
  return {
    "content-security-policy": [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src 'nonce-${nonce}'`,
      "connect-src 'self'",
      "img-src 'self' data:",
      "form-action 'self'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join("; "),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
  };
}

function sendHtml(
  res: ServerResponse,
  status: number,
  body: string,
  nonce: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    ...securityHeaders(nonce),
    ...headers,
  });
  res.end(body);
}
