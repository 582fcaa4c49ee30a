/**
 * The installation self-check's conditions (DESIGN.md "Deployment"; issue 17): pure functions over
 * facts the app gathers from GitHub (src/app/periodic/self-check.ts), each finding naming the fix.
 * Checked on start and hourly; findings become operator alerts through the alert writer, and an
 * alert resolves when a later check no longer finds it.
 */
import type { Finding } from "../domain/alerts.js";

/** What the app found in one repository of an owner's allow-list. */
export interface RepositoryFacts {
  readonly repository: string;
  readonly defaultBranch: string;
  /** The agent workflow its launcher names (null: not a github-workflow repository). */
  readonly agentWorkflow: { readonly path: string; readonly present: boolean } | null;
  /** Whether the default branch has branch protection or a ruleset. */
  readonly protected: boolean;
  /** Each check run the evidence policy requires, and whether it appeared on a recent commit. */
  readonly requiredChecks: readonly { readonly name: string; readonly seen: boolean }[];
  /** How many of the default branch's latest commits were looked at. */
  readonly commitsLooked: number;
}

/** What the app found for one installation owner. */
export interface OwnerFacts {
  readonly owner: string;
  readonly controlRepository: string;
  readonly dispatchWorkflow: string;
  /** The latest `POST /api/v1/dispatch` from the owner's control repository (null: none recorded). */
  readonly lastDispatchAt: Date | null;
  /** Since when the app could have seen a call (its start): no call yet is not silence before then. */
  readonly watchingSince: Date;
  readonly repositories: readonly RepositoryFacts[];
}

export interface InstallationThresholds {
  /** How often the dispatch workflow is scheduled (`app.dispatch_interval_seconds`). */
  readonly dispatchIntervalMs: number;
}

/** Every installation finding for one owner. */
export function installationFindings(facts: OwnerFacts, now: Date, t: InstallationThresholds): Finding[] {
  return [...dispatchSilent(facts, now, t), ...facts.repositories.flatMap(repositoryFindings)];
}

function dispatchSilent(facts: OwnerFacts, now: Date, t: InstallationThresholds): Finding[] {
  const since = facts.lastDispatchAt ?? facts.watchingSince;
  const silentMs = now.getTime() - since.getTime();
  if (silentMs <= 2 * t.dispatchIntervalMs) return [];
  const workflow = `${facts.controlRepository}/.github/workflows/${facts.dispatchWorkflow}`;
  return [
    {
      condition: "dispatch_workflow_silent",
      subject: facts.owner,
      severity: "critical",
      message: `${workflow} has not called POST /api/v1/dispatch for ${Math.round(silentMs / 60_000)} minutes (${facts.lastDispatchAt ? `last call ${facts.lastDispatchAt.toISOString()}` : "no call since the app started"}): check that the workflow exists on the default branch, is enabled, has a schedule, and that its runs succeed (Actions tab); tickets of ${facts.owner} are not dispatched meanwhile`,
      detail: {
        owner: facts.owner,
        workflow,
        lastDispatchAt: facts.lastDispatchAt?.toISOString() ?? null,
        intervalSeconds: Math.round(t.dispatchIntervalMs / 1000),
      },
    },
  ];
}

function repositoryFindings(r: RepositoryFacts): Finding[] {
  const findings: Finding[] = [];
  if (r.agentWorkflow && !r.agentWorkflow.present)
    findings.push({
      condition: "agent_workflow_missing",
      subject: r.repository,
      severity: "critical",
      message: `${r.repository} has no ${r.agentWorkflow.path} on ${r.defaultBranch}: add the agent workflow (docs/install.md) or change the repository's launcher; its tickets cannot run`,
      detail: { repository: r.repository, path: r.agentWorkflow.path, branch: r.defaultBranch },
    });
  if (!r.protected)
    findings.push({
      condition: "default_branch_unprotected",
      subject: r.repository,
      severity: "warning",
      message: `${r.repository}'s default branch ${r.defaultBranch} is not protected: add a branch protection rule or ruleset requiring pull requests, so that no agent or report token can push to it`,
      detail: { repository: r.repository, branch: r.defaultBranch },
    });
  const never = r.requiredChecks.filter((c) => !c.seen).map((c) => c.name);
  if (never.length && r.commitsLooked > 0)
    findings.push({
      condition: "required_check_never_seen",
      subject: r.repository,
      severity: "warning",
      message: `${r.repository} requires check(s) ${never.join(", ")} (evidence.required_checks) that appeared on none of the latest ${r.commitsLooked} commit(s) of ${r.defaultBranch}: check the CI workflow's job names, or fix the evidence policy; until then no ticket of ${r.repository} can be verified`,
      detail: { repository: r.repository, checks: never, commitsLooked: r.commitsLooked },
    });
  return findings;
}
