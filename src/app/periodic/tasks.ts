/**
 * The app's periodic work as `npm start` (and the demo) composes it: the orchestrator pass, the
 * operator pass, the webhook redelivery sweep and the installation self-check, each a
 * `PeriodicTask` with its interval from `app.periodic` and its maintenance setting.
 */
import type { Octokit } from "@octokit/rest";
import type { Config } from "../../config/schema.js";
import type { Lifecycle } from "../../lifecycle/index.js";
import { runOperatorPass } from "../../operator/pass.js";
import type { SnapshotReader } from "../../operator/port.js";
import { operatorThresholdsFrom } from "../../operator/thresholds.js";
import { runOrchestratorPass } from "../../orchestrator/pass.js";
import type { Store } from "../../store/index.js";
import { redeliverMissed } from "../redeliver.js";
import type { PeriodicTask } from "./runner.js";

/** How many of the app's latest deliveries one sweep reads (GitHub lists the newest first). */
const REDELIVERY_SCAN_LIMIT = 500;

export interface AppPeriodicDeps {
  readonly lifecycle: Pick<Lifecycle, "inbox" | "tasks" | "alerts" | "clock">;
  /** The operator's read-only view (src/operator/snapshot.ts). */
  readonly snapshots: SnapshotReader;
  readonly config: Config;
  /** Names this replica in inbox deliveries and ticket events. */
  readonly holder: string;
  /** The app's own (JWT) Octokit for the delivery log; null: no redelivery sweep (no GitHub App). */
  readonly appOctokit: (() => Promise<Octokit>) | null;
  readonly deliveries: Pick<Store["deliveries"], "find">;
  /** The installation self-check (src/app/periodic/self-check.ts); null: not run. */
  readonly selfCheck?: PeriodicTask["run"] | null;
  readonly log: (message: string, detail: Record<string, unknown>) => void;
}

export function appPeriodicTasks(deps: AppPeriodicDeps): PeriodicTask[] {
  const { config, lifecycle } = deps;
  const every = config.app.periodic;
  const tasks: PeriodicTask[] = [
    {
      name: "orchestrate",
      intervalMs: every.orchestrate_seconds * 1000,
      async run() {
        const o = config.orchestrator;
        const pass = await runOrchestratorPass({
          inbox: lifecycle.inbox,
          setting: () => lifecycle.tasks.setting("orchestrate"),
          rules: { reviewRequired: o.review_required, retryFailedCompletions: o.retry_failed_completions },
          holder: deps.holder,
          leaseMs: o.delivery_lease_seconds * 1000,
          batchSize: o.batch_size,
        });
        if (pass.status === "paused") return "paused";
        if (pass.delivered > 0)
          deps.log("orchestrate pass", {
            delivered: pass.delivered,
            outcomes: pass.outcomes.map((o) => `${o.ticket ?? o.item}:${o.outcome}`),
          });
        return "completed";
      },
    },
    {
      name: "operate",
      intervalMs: every.operate_seconds * 1000,
      async run() {
        const report = await runOperatorPass({
          reader: deps.snapshots,
          port: { recordPass: lifecycle.alerts.recordPass },
          now: () => lifecycle.clock.now(),
          thresholds: operatorThresholdsFrom(config),
        });
        if (report.status === "paused") return "paused";
        if (report.changes.length)
          deps.log("operate pass", { changes: report.changes.map((c) => `${c.fingerprint}:${c.change}`) });
        return "completed";
      },
    },
  ];
  const appOctokit = deps.appOctokit;
  if (appOctokit)
    tasks.push({
      name: "redeliver",
      intervalMs: every.redeliver_seconds * 1000,
      async run() {
        if (!(await lifecycle.tasks.setting("redeliver")).enabled) return "paused";
        const plan = await redeliverMissed(
          { deliveries: deps.deliveries, clock: lifecycle.clock, appOctokit: await appOctokit() },
          {
            dryRun: false,
            limit: REDELIVERY_SCAN_LIMIT,
            deliveryLeaseMs: config.app.delivery_lease_seconds * 1000,
          },
        );
        const asked = plan.filter((d) => d.decision === "redeliver");
        if (asked.length) deps.log("redelivery requested", { deliveries: asked.map((d) => d.guid) });
        return "completed";
      },
    });
  const selfCheck = deps.selfCheck;
  if (selfCheck)
    tasks.push({ name: "self-check", intervalMs: every.self_check_seconds * 1000, run: selfCheck });
  return tasks;
}
