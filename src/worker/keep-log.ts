import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { errorMessage } from "../domain/error-message.js";
import type { AttemptLog } from "../lifecycle/attempt-log.js";
import type { LogPlacement } from "./run-types.js";

/**
 * The log's fallback home, when the attempt cannot take it (its lease was lost but the dispatcher
 * has not expired it yet, or the database is unreachable): a file beside the worktrees.
 */
export async function keepLogFile(options: {
  directory: string;
  name: string;
  heading: string;
  log: AttemptLog;
  /** Why the attempt did not take it. */
  why: string;
}): Promise<LogPlacement> {
  const file = path.join(options.directory, options.name);
  try {
    // Not for the agent's eyes (it may run as another user): only the runner's user reads it.
    await mkdir(options.directory, { recursive: true, mode: 0o700 });
    await writeFile(file, `${options.heading}\n${options.log.text}`, { mode: 0o600 });
    return { stored: "file", path: file, why: options.why };
  } catch (error) {
    const message = errorMessage(error);
    return { stored: "nowhere", why: `${options.why}; and ${message}` };
  }
}
