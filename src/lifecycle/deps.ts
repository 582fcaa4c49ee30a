import type { Database } from "../db/database.js";

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** What the lifecycle module needs from its caller; nothing else is reached for. */
export interface LifecycleDeps {
  readonly db: Database;
  readonly clock: Clock;
  /** Prefix of new ticket keys, e.g. "MC" for MC-42. */
  readonly keyPrefix: string;
}
