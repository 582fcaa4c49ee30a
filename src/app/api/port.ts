import type { Lifecycle } from "../../lifecycle/index.js";

/**
 * The reads the JSON API makes, and nothing more: the API is read-only, so no write of the
 * lifecycle is reachable from a route. A `Lifecycle` is one.
 */
export type ApiLifecycle = Pick<
  Lifecycle,
  | "clock"
  | "ping"
  | "findTicket"
  | "listTicketsAfter"
  | "attemptsOf"
  | "ticketHistory"
  | "recentDispatchCycles"
> & {
  readonly evidence: Pick<Lifecycle["evidence"], "verdictsOf">;
  readonly inbox: Pick<Lifecycle["inbox"], "list">;
  readonly alerts: Pick<Lifecycle["alerts"], "list">;
  readonly app: { readonly mirror: Pick<Lifecycle["app"]["mirror"], "backlog"> };
};
