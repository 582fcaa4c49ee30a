import { mirrorRetryFrom } from "../config/durations.js";
import { controlRepository } from "../config/repositories.js";
import type { Config } from "../config/schema.js";
import type { Lifecycle } from "../lifecycle/index.js";
import { type Clock, type Loop, type Store, startLoop } from "../store/index.js";
import type { AppRuntime } from "./app.js";
import { cachedPermissions } from "./commands/permission-cache.js";
import { commandPass } from "./commands/worker.js";
import { reevaluationPass } from "./evidence/reevaluate.js";
import { type MirrorDeps, mirrorPass } from "./mirror/worker.js";

export interface AppWorkersOptions {
  /** The whole lifecycle: the command worker executes commands through it. */
  readonly lifecycle: Lifecycle;
  readonly store: Pick<
    Store,
    "mirror" | "dispatchSlot" | "reevaluations" | "commandRequests" | "commandReplies"
  >;
  readonly clock: Clock;
  readonly config: Pick<Config, "app">;
  /** Names this process in the work it takes (mirror batches, command and re-evaluation requests). */
  readonly worker: string;
  /** Where the workers' failures go (the app's logger). */
  readonly log: (message: string, detail?: Record<string, unknown>) => void;
  /**
   * Prompt the control repository's dispatch workflow when a ticket becomes runnable (off where a
   * dispatcher loop runs beside).
   */
  readonly promptDispatch: boolean;
  /** Pause between idle passes (default `app.mirror.poll_seconds`). */
  readonly pollMs?: number;
}

/**
 * The work beside the webhook intake, configured from `app:` as `npm start` runs it: the mirror
 * worker, the command worker (runs and answers the queued `/mc` comments) and, when the app has a
 * verifier, the evidence re-evaluation worker (the last two with the mirror's lease, batch size and
 * back-off). `stop()` waits for the passes in progress.
 */
export function startAppWorkers(
  runtime: Pick<AppRuntime, "octokitFor" | "verifier">,
  options: AppWorkersOptions,
): { stop(): Promise<void> } {
  const { app } = options.config;
  const mirror = app.mirror;
  const pollMs = options.pollMs ?? mirror.poll_seconds * 1000;
  const common = {
    worker: options.worker,
    retry: mirrorRetryFrom(mirror),
    leaseMs: mirror.lease_seconds * 1000,
    batchLimit: mirror.batch_size,
    log: options.log,
  };
  const mirrorDeps: MirrorDeps = {
    ...common,
    issues: options.lifecycle.issues,
    store: options.store,
    clock: options.clock,
    octokitFor: runtime.octokitFor,
    ticketLabel: app.ticket_label,
    ...(options.promptDispatch
      ? {
          // The dispatch workflow is the owner's control repository's (DESIGN.md "Deployment"), not the ticket's.
          dispatch: {
            workflow: app.dispatch_workflow,
            intervalMs: app.dispatch_trigger_seconds * 1000,
            repositoryFor: (repository: string) =>
              controlRepository(options.config, repository.split("/")[0] ?? ""),
          },
        }
      : {}),
  };
  const { verifier } = runtime;
  const commandDeps = {
    ...common,
    lifecycle: options.lifecycle,
    requests: options.store.commandRequests,
    replies: options.store.commandReplies,
    verifier,
    octokitFor: runtime.octokitFor,
    // Permission levels cached a minute: an outsider's burst of /mc costs one request (issue 19).
    permissions: cachedPermissions({ now: () => options.clock.now().getTime() }),
    controlRepositoryName: options.config.app.control_repository_name,
  };
  const loops: Loop[] = [
    startLoop("mirror", () => mirrorPass(mirrorDeps), pollMs, options.log),
    startLoop("command", () => commandPass(commandDeps), pollMs, options.log),
  ];
  if (verifier) {
    const reevaluationDeps = { ...common, reevaluations: options.store.reevaluations, verifier };
    loops.push(
      startLoop("evidence re-evaluation", () => reevaluationPass(reevaluationDeps), pollMs, options.log),
    );
  }
  return {
    async stop() {
      for (const loop of loops) await loop.stop();
    },
  };
}
