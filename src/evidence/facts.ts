import type { AttemptStatus } from "../domain/attempts.js";
import type { TicketState } from "../domain/ticket-states.js";
import type { EvidenceConfig } from "../config/schema.js";
import type { ParsedEvidence } from "./attempt-evidence.js";
import type { Fetched } from "./types.js";

/** The ticket and the attempt whose evidence is verified, as the database says now. */
export interface SubjectFacts {
  readonly ticket: {
    readonly key: string;
    readonly state: TicketState;
    readonly currentAttemptId: string | null;
    readonly repository: string;
  };
  readonly attempt: {
    readonly id: string;
    readonly number: number;
    readonly status: AttemptStatus;
    /** `outcome.reason` of the attempt (`completion_claimed` for a completion). */
    readonly outcomeReason: string | null;
    /** When the attempt ended (for a completion: when it was claimed); null while it runs. */
    readonly endedAt: Date | null;
  };
  readonly evidence: ParsedEvidence;
  /** When this evaluation happens, by the lifecycle's clock (criteria never read a clock). */
  readonly now: Date;
}

/** The repository policy, or why it could not be used (`invalid` names the key and the problem). */
export type PolicyFact =
  | {
      readonly ok: true;
      readonly policy: EvidenceConfig;
      readonly source: string;
      readonly url: string | null;
    }
  | { readonly ok: false; readonly reason: "invalid"; readonly message: string; readonly url: string | null }
  | { readonly ok: false; readonly reason: "unavailable"; readonly message: string };

export interface CheckRunFact {
  readonly id: number;
  readonly name: string;
  readonly headSha: string;
  readonly status: string;
  readonly conclusion: string | null;
  readonly appId: number | null;
  readonly appSlug: string | null;
  readonly url: string | null;
}

export interface StatusFact {
  readonly context: string;
  readonly state: string;
  readonly url: string | null;
}

export interface DeploymentFact {
  readonly id: number;
  readonly sha: string;
  readonly environment: string;
  /** The latest status of the latest deployment; null when it has none yet. */
  readonly state: string | null;
  readonly url: string | null;
}

export interface PullFact {
  readonly number: number;
  readonly headSha: string;
  readonly mergedAt: string | null;
  readonly url: string;
}

/** What GitHub says about the commit. Facts the policy does not need are `null` (not fetched). */
export interface GitHubFacts {
  readonly sha: string;
  /** The default branch's name: read only when the policy requires merging (null otherwise). */
  readonly defaultBranch: string | null;
  readonly commit: Fetched<{ readonly sha: string; readonly url: string }>;
  /** `compare/{default}...{sha}`: `behind`/`identical` mean the default branch contains the commit. */
  readonly reachability: Fetched<{ readonly status: string; readonly url: string }> | null;
  /**
   * `compare/{base}...{sha}`: how the claimed commit relates to the commit its attempt started from
   * (`ahead` = new commits on top of the base). Null when the commit was not found or there is no base.
   */
  readonly ancestry: Fetched<{
    readonly status: string;
    readonly aheadBy: number;
    readonly url: string;
  }> | null;
  readonly pulls: Fetched<readonly PullFact[]> | null;
  readonly checkRuns: Fetched<readonly CheckRunFact[]> | null;
  readonly statuses: Fetched<readonly StatusFact[]> | null;
  /** Per required environment: the latest deployment of the commit there, or null if none. */
  readonly deployments: Readonly<Record<string, Fetched<DeploymentFact | null>>>;
  /** Mission Control's own app id, when known: its check runs never count as evidence. */
  readonly selfAppId: number | null;
}
