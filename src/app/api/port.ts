import type { Lifecycle } from "../../lifecycle/index.js";

/**
 * The reads the JSON API makes, and nothing more: the API is read-only, so no write of the
 * lifecycle is reachable from a route. A `Lifecycle` is one. (The health route's mirror backlog
 * comes from the store: `ApiDeps.mirror`.)
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
  | "ticketRepositories"
> & {
  readonly evidence: Pick<Lifecycle["evidence"], "verdictsOf">;
  readonly inbox: Pick<Lifecycle["inbox"], "list">;
  readonly alerts: Pick<Lifecycle["alerts"], "list">;
};
