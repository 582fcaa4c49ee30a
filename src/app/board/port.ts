import type { Lifecycle } from "../../lifecycle/index.js";

/**
 * The reads the board pages make, and nothing more: the board is read-only, so no write of the
 * lifecycle is reachable from it. A `Lifecycle` is one.
 */
export type BoardLifecycle = Pick<
  Lifecycle,
  | "clock"
  | "board"
  | "findTicket"
  | "attemptsOf"
  | "ticketHistory"
  | "questionsOf"
  | "recentDispatchCycles"
  | "ticketRepositories"
> & {
  readonly evidence: Pick<Lifecycle["evidence"], "verdictsOf">;
  readonly inbox: Pick<Lifecycle["inbox"], "list" | "ofTicket">;
  readonly alerts: Pick<Lifecycle["alerts"], "list">;
  readonly tasks: Pick<Lifecycle["tasks"], "settings">;
};
