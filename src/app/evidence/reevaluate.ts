import type { Verifier } from "../../evidence/index.js";
import { type PassReport, runQueuePass, type Store } from "../../store/index.js";
import { type MirrorRetry, retryDelayMs } from "../mirror/retry.js";

export interface ReevaluationDeps {
  /** The queue of requests that CI webhooks, completions and verdicts recorded. */
  readonly reevaluations: Store["reevaluations"];
  readonly verifier: Verifier;
  readonly worker: string;
  readonly retry: MirrorRetry;
  readonly leaseMs: number;
  readonly batchLimit: number;
  readonly log?: (message: string, detail?: Record<string, unknown>) => void;
}

/**
 * One pass of the re-evaluation worker: takes due requests (`store.reevaluations`), runs the
 * verifier for each (idempotent: it reads the commit's current checks and records a verdict only
 * when it changes) and marks it done; a failure leaves the request pending with back-off that
 * honours `retry-after`.
 */
export function reevaluationPass(deps: ReevaluationDeps): Promise<PassReport> {
  const { verifier } = deps;
  return runQueuePass({
    name: "evidence re-evaluation",
    queue: deps.reevaluations,
    worker: deps.worker,
    leaseMs: deps.leaseMs,
    batchLimit: deps.batchLimit,
    async handle(request) {
      if (request.wholeRepository) await verifier.reevaluateRepository({ repository: request.repository });
      else for (const sha of request.shas) await verifier.reevaluate({ repository: request.repository, sha });
    },
    retryDelayMs: (tries, error) => retryDelayMs(deps.retry, tries, error),
    describe: (request) => ({ request: request.id, repository: request.repository }),
    log: deps.log,
  });
}
