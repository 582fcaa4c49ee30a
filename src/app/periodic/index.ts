import type { Octokit } from "@octokit/rest";
import { octokitConfigReader, ownerConfigs } from "../../config/owner-config.js";
import type { Config } from "../../config/schema.js";
import type { Lifecycle } from "../../lifecycle/index.js";
import { outagePolicyFrom } from "../../operator/thresholds.js";
import type { AppRuntime } from "../app.js";
import { type PeriodicDeps, type PeriodicTask, type PeriodicTasks, startPeriodicTasks } from "./runner.js";
import { runSelfCheck } from "./self-check.js";
import type { PeriodicStatusBoard } from "./status.js";
import { type AppPeriodicDeps, appPeriodicTasks } from "./tasks.js";

export {
  type PeriodicDeps,
  type PeriodicTask,
  periodicLeaseName,
  runPeriodicOnce,
  startPeriodicTasks,
} from "./runner.js";
export { runSelfCheck, type SelfCheckDeps } from "./self-check.js";
export { PeriodicStatusBoard, type PeriodicTaskStatus } from "./status.js";
export { appPeriodicTasks } from "./tasks.js";

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
  const { alerts } = options.lifecycle;
  return startPeriodicTasks(tasks, {
    leases: options.leases,
    holder: options.holder,
    clock: options.lifecycle.clock,
    status: options.status,
    log: options.log,
    outage: {
      policy: outagePolicyFrom(options.config),
      alerts: {
        raise: (finding) => alerts.raise(finding),
        resolve: (subject) => alerts.resolve({ condition: "outage", subjects: [subject] }),
      },
    },
  });
}

/**
 * The installation self-check as the app runs it: the owners are the accounts the app is installed
 * for (its own JWT), each owner's configuration comes from its control repository, the last
 * dispatch call from the dispatch cycles the workflow's calls recorded.
 */
export function appSelfCheck(
  runtime: Pick<AppRuntime, "probot" | "octokitFor">,
  options: {
    readonly lifecycle: Pick<Lifecycle, "alerts" | "tasks" | "clock" | "lastWorkflowDispatch">;
    readonly config: Config;
    readonly startedAt: Date;
    readonly log: (message: string, detail: Record<string, unknown>) => void;
  },
): PeriodicTask["run"] {
  const { lifecycle, config } = options;
  const owners = ownerConfigs({
    ...octokitConfigReader((owner, repo) => runtime.octokitFor(`${owner}/${repo}`)),
    controlRepositoryName: config.app.control_repository_name,
    clock: lifecycle.clock,
  });
  return () =>
    runSelfCheck({
      owners: async () => {
        const app = (await runtime.probot.auth()) as unknown as Octokit;
        const installations = await app.paginate(app.rest.apps.listInstallations, { per_page: 100 });
        const logins = installations.flatMap((i) =>
          i.account && "login" in i.account ? [i.account.login] : [],
        );
        return [...new Set(logins)];
      },
      configOf: (owner) => owners.load(owner),
      octokitFor: runtime.octokitFor,
      lastDispatch: (owner) => lifecycle.lastWorkflowDispatch(owner),
      recordPass: lifecycle.alerts.recordPass,
      paused: async () => !(await lifecycle.tasks.setting("operate")).enabled,
      config,
      dispatchServed: config.app.public_url !== undefined,
      clock: lifecycle.clock,
      startedAt: options.startedAt,
      log: options.log,
    });
}
