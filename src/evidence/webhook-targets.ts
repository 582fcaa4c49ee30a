import { z } from "zod";
import { EVIDENCE_CHECK_NAME } from "../config/schema.js";

/** Which commits a webhook concerns, for re-evaluating their verdicts. */
export interface EvidenceTargets {
  readonly repository: string;
  readonly shas: readonly string[];
  /**
   * A push to the default branch can make any commit reachable and can change the policy: every
   * open verification of the repository is re-evaluated.
   */
  readonly wholeRepository: boolean;
}

const Repository = z.object({ full_name: z.string(), default_branch: z.string().optional() });
const Shapes = {
  check_run: z.object({
    repository: Repository,
    check_run: z.object({ head_sha: z.string(), name: z.string() }),
  }),
  check_suite: z.object({ repository: Repository, check_suite: z.object({ head_sha: z.string() }) }),
  status: z.object({ repository: Repository, sha: z.string() }),
  deployment_status: z.object({ repository: Repository, deployment: z.object({ sha: z.string() }) }),
  push: z.object({ repository: Repository, ref: z.string(), after: z.string() }),
  pull_request: z.object({
    repository: Repository,
    pull_request: z.object({ head: z.object({ sha: z.string() }) }),
  }),
};

export const EVIDENCE_EVENTS = Object.keys(Shapes) as (keyof typeof Shapes)[];

/**
 * Maps a webhook (`X-GitHub-Event` name and payload) to the commits whose verdicts it may change;
 * null for events that concern no evidence (including Mission Control's own check run, whose
 * updates would otherwise re-trigger verification).
 */
export function evidenceTargets(event: string, payload: unknown): EvidenceTargets | null {
  const target = (repository: string, sha: string, wholeRepository = false): EvidenceTargets => ({
    repository,
    shas: /^0+$/.test(sha) ? [] : [sha],
    wholeRepository,
  });
  switch (event) {
    case "check_run": {
      const p = Shapes.check_run.safeParse(payload);
      if (!p.success || p.data.check_run.name === EVIDENCE_CHECK_NAME) return null;
      return target(p.data.repository.full_name, p.data.check_run.head_sha);
    }
    case "check_suite": {
      const p = Shapes.check_suite.safeParse(payload);
      return p.success ? target(p.data.repository.full_name, p.data.check_suite.head_sha) : null;
    }
    case "status": {
      const p = Shapes.status.safeParse(payload);
      return p.success ? target(p.data.repository.full_name, p.data.sha) : null;
    }
    case "deployment_status": {
      const p = Shapes.deployment_status.safeParse(payload);
      return p.success ? target(p.data.repository.full_name, p.data.deployment.sha) : null;
    }
    case "push": {
      const p = Shapes.push.safeParse(payload);
      if (!p.success) return null;
      const toDefault =
        p.data.repository.default_branch !== undefined &&
        p.data.ref === `refs/heads/${p.data.repository.default_branch}`;
      return target(p.data.repository.full_name, p.data.after, toDefault);
    }
    case "pull_request": {
      const p = Shapes.pull_request.safeParse(payload);
      return p.success ? target(p.data.repository.full_name, p.data.pull_request.head.sha) : null;
    }
    default:
      return null;
  }
}
