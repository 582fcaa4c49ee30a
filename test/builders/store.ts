import type { Database } from "../../src/db/database.js";
import { type Clock, createStore, type Store } from "../../src/store/index.js";
import { manualClock } from "./tickets.js";

/** The store on a test database, on the same clock as the test's lifecycle. */
export function testStore(db: Database, clock: Clock = manualClock()): Store {
  return createStore({ db, clock });
}
