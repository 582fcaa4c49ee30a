import type { Verifier } from "../../evidence/index.js";
import type { Lifecycle } from "../../lifecycle/index.js";
import { type MirrorRetry, retryDelayMs } from "../mirror/retry.js";
import { startPollLoop } from "../poll-loop.js";

export interface ReevaluationDeps {
  readonly lifecycle: Lifecycle;
  readonly verifier: Verifier;
  readonly worker: string;
  readonly retry: MirrorRetry;
  readonly leaseMs: number;
  readonly batchLimit: number;
  readonly log?: (message: string, detail?: Record<string, unknown>) => void;
}

export interface ReevaluationPassReport {
  readonly taken: number;
  readonly done: number;
  readonly failed: number;
}

/**
 * One pass of the re-evaluation worker: takes due requests that CI webhooks recorded
 * (`lifecycle.app.reevaluations`), runs the verifier for each (idempotent: it reads the commit's
 * current checks and records a verdict only when it changes) and marks it done; a failure leaves
 * the request pending with back-off that honours `retry-after`.
 */
export async function reevaluationPass(deps: ReevaluationDeps): Promise<ReevaluationPassReport> {
  const { lifecycle, verifier } = deps;
  const taken = await lifecycle.app.reevaluations.take({
    worker: deps.worker,
    leaseMs: deps.leaseMs,
    limit: deps.batchLimit,
  });
  let done = 0;
  let failed = 0;
  for (const request of taken) {
    try {
      if (request.wholeRepository) await verifier.reevaluateRepository({ repository: request.repository });
      else for (const sha of request.shas) await verifier.reevaluate({ repository: request.repository, sha });
      const completed = await lifecycle.app.reevaluations.complete({ id: request.id, worker: deps.worker });
      if (completed.ok) done += 1;
    } catch (error) {
      failed += 1;
      const delay = retryDelayMs(deps.retry, request.tries, error);
      deps.log?.("evidence re-evaluation failed", {
        request: request.id,
        repository: request.repository,
        tries: request.tries + 1,
        delay,
        error: String(error),
      });
      await lifecycle.app.reevaluations.fail({
        id: request.id,
        worker: deps.worker,
        error: String(error),
        retryAt: new Date(lifecycle.deps.clock.now().getTime() + delay),
      });
    }
  }
  return { taken: taken.length, done, failed };
}

/** Runs passes until nothing is due (tests, and draining on demand). */
export async function reevaluateUntilIdle(
  deps: ReevaluationDeps,
  maxPasses = 1000,
): Promise<ReevaluationPassReport> {
  const total = { taken: 0, done: 0, failed: 0 };
  for (let i = 0; i < maxPasses; i += 1) {
    const pass = await reevaluationPass(deps);
    total.taken += pass.taken;
    total.done += pass.done;
    total.failed += pass.failed;
    if (pass.taken === 0) break;
  }
  return total;
}

/** Runs passes every `pollMs` (at once again while there is work); `stop()` waits for the running pass. */
export function startReevaluationLoop(deps: ReevaluationDeps, pollMs: number) {
  return startPollLoop(
    "evidence re-evaluation",
    async () => {
      const pass = await reevaluationPass(deps);
      return { busy: pass.taken > 0 && pass.failed === 0 };
    },
    pollMs,
    deps.log,
  );
}
