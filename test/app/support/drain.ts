import { type ReevaluationDeps, reevaluationPass } from "../../../src/app/evidence/reevaluate.js";
import { type MirrorDeps, mirrorPass } from "../../../src/app/mirror/worker.js";
import { type PassReport, runUntilIdle } from "../../../src/store/index.js";

/** Mirror passes until nothing is due (the generic `runUntilIdle` over `mirrorPass`). */
export function mirrorUntilIdle(deps: MirrorDeps, maxPasses?: number): Promise<PassReport> {
  return runUntilIdle(() => mirrorPass(deps), maxPasses);
}

/** Re-evaluation passes until nothing is due. */
export function reevaluateUntilIdle(deps: ReevaluationDeps, maxPasses?: number): Promise<PassReport> {
  return runUntilIdle(() => reevaluationPass(deps), maxPasses);
}
