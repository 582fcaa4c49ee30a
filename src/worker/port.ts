import type { Lifecycle } from "../lifecycle/index.js";

/**
 * What a worker's runner asks of the lifecycle: its attempt and ticket, the context of its brief,
 * and the attempt's own writes (start, heartbeat, question, failure, completion, log). A
 * `Lifecycle` is one; nothing else of it is reachable from src/worker.
 */
export type WorkerLifecycle = Pick<
  Lifecycle,
  | "findAttempt"
  | "findTicketById"
  | "attemptsOf"
  | "questionsOf"
  | "startAttempt"
  | "heartbeat"
  | "askQuestion"
  | "failAttempt"
  | "completeAttempt"
  | "recordAttemptLog"
>;
