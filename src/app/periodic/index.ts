import type { Octokit } from "@octokit/rest";
import type { AppRuntime } from "../app.js";
import { type PeriodicDeps, type PeriodicTasks, startPeriodicTasks } from "./runner.js";
import type { PeriodicStatusBoard } from "./status.js";
import { type AppPeriodicDeps, appPeriodicTasks } from "./tasks.js";

export {
  type PeriodicDeps,
  type PeriodicTask,
  periodicLeaseName,
  runPeriodicOnce,
  startPeriodicTasks,
} from "./runner.js";
export { PeriodicStatusBoard, type PeriodicTaskStatus } from "./status.js";
export { appPeriodicTasks } from "./tasks.js";
export { isTransientFailure } from "./transient.js";

/**
 * Starts the app's periodic work (src/app/periodic/tasks.ts) once Probot has loaded the app: the
 * redelivery sweep reads the delivery log with the app's own JWT Octokit. Each task's last run and
 * last error go to `status`, which `/api/health` shows.
 */
export function startAppPeriodic(
  runtime: Pick<AppRuntime, "probot">,
  options: Omit<AppPeriodicDeps, "appOctokit" | "log"> &
    Pick<PeriodicDeps, "leases" | "log"> & {
      readonly status: PeriodicStatusBoard;
      readonly redeliver: boolean;
    },
): PeriodicTasks {
  const tasks = appPeriodicTasks({
    ...options,
    appOctokit: options.redeliver ? async () => (await runtime.probot.auth()) as unknown as Octokit : null,
    log: (message, detail) => options.log("info", message, detail),
  });
  return startPeriodicTasks(tasks, {
    leases: options.leases,
    holder: options.holder,
    clock: options.lifecycle.clock,
    status: options.status,
    log: options.log,
  });
}
