import type { Database } from "../db/database.js";

export interface Clock {
  now(): Date;
}

/** What the store needs from its composition root; nothing else is reached for. */
export interface StoreDeps {
  readonly db: Database;
  readonly clock: Clock;
}
