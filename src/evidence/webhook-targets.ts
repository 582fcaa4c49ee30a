import { z } from "zod";
import { EVIDENCE_CHECK_NAME } from "../config/schema.js";
import { CRITERIA } from "./criteria/index.js";

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

const target = (repository: string, sha: string, wholeRepository = false): EvidenceTargets => ({
  repository,
  shas: /^0+$/.test(sha) ? [] : [sha],
  wholeRepository,
});

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

/**
 * The webhook events a criterion may name in its `triggers`, each with how its payload names the
 * commit, in the order the check run lists them. A criterion that needs another event adds it here.
 */
const READERS = {
  check_run: (payload: unknown) => {
    const p = Shapes.check_run.safeParse(payload);
    // Mission Control's own check run: its updates would otherwise re-trigger verification.
    if (!p.success || p.data.check_run.name === EVIDENCE_CHECK_NAME) return null;
    return target(p.data.repository.full_name, p.data.check_run.head_sha);
  },
  check_suite: (payload: unknown) => {
    const p = Shapes.check_suite.safeParse(payload);
    return p.success ? target(p.data.repository.full_name, p.data.check_suite.head_sha) : null;
  },
  status: (payload: unknown) => {
    const p = Shapes.status.safeParse(payload);
    return p.success ? target(p.data.repository.full_name, p.data.sha) : null;
  },
  deployment_status: (payload: unknown) => {
    const p = Shapes.deployment_status.safeParse(payload);
    return p.success ? target(p.data.repository.full_name, p.data.deployment.sha) : null;
  },
  push: (payload: unknown) => {
    const p = Shapes.push.safeParse(payload);
    if (!p.success) return null;
    const toDefault =
      p.data.repository.default_branch !== undefined &&
      p.data.ref === `refs/heads/${p.data.repository.default_branch}`;
    return target(p.data.repository.full_name, p.data.after, toDefault);
  },
  pull_request: (payload: unknown) => {
    const p = Shapes.pull_request.safeParse(payload);
    return p.success ? target(p.data.repository.full_name, p.data.pull_request.head.sha) : null;
  },
} satisfies Record<string, (payload: unknown) => EvidenceTargets | null>;

/** A GitHub webhook event (`X-GitHub-Event`) that a criterion can name as a trigger. */
export type WebhookEvent = keyof typeof READERS;

/** How the check run names what an event reports ("re-evaluated when checks … change"). */
const LABELS: Record<WebhookEvent, string> = {
  check_run: "checks",
  check_suite: "checks",
  status: "statuses",
  deployment_status: "deployments",
  push: "pushes",
  pull_request: "pull requests",
};

/** The events that re-evaluate verdicts: those some criterion of the registry names as a trigger. */
export const EVIDENCE_EVENTS: readonly WebhookEvent[] = (Object.keys(READERS) as WebhookEvent[]).filter(
  (event) => CRITERIA.some((criterion) => criterion.triggers.includes(event)),
);

/** What re-evaluates a pending verdict, in words: "checks, statuses, deployments, pushes or pull requests". */
export function reevaluatedWhen(): string {
  const labels = [...new Set(EVIDENCE_EVENTS.map((event) => LABELS[event]))];
  const last = labels.pop();
  return labels.length ? `${labels.join(", ")} or ${last}` : (last ?? "nothing");
}

const isEvidenceEvent = (event: string): event is WebhookEvent =>
  (EVIDENCE_EVENTS as readonly string[]).includes(event);

/**
 * Maps a webhook (`X-GitHub-Event` name and payload) to the commits whose verdicts it may change;
 * null for events that no criterion is re-triggered by (including Mission Control's own check run,
 * whose updates would otherwise re-trigger verification).
 */
export function evidenceTargets(event: string, payload: unknown): EvidenceTargets | null {
  return isEvidenceEvent(event) ? READERS[event](payload) : null;
}
