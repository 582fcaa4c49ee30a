/**
 * The installation self-check (issue 17): on start and every `app.periodic.self_check_seconds`,
 * for each owner the app is installed for, read its configuration from its control repository and
 * look at each repository of its allow-list — the agent workflow file, the default branch's
 * protection, whether the evidence policy's required checks appear on recent commits — and when
 * its dispatch workflow last called. The conditions are pure (src/operator/installation.ts); the
 * findings go to the operator's alert writer, which resolves an alert once it is no longer found.
 * Paused with the operator (`mctl maintenance pause operate`).
 */
import type { Octokit } from "@octokit/rest";
import { DEFAULT_CONFIG_PATH, parseConfig } from "../../config/load.js";
import type { OwnerConfig } from "../../config/owner-config.js";
import { allowedRepositories, controlRepository, repositorySettings } from "../../config/repositories.js";
import type { Config } from "../../config/schema.js";
import { type Finding, INSTALLATION_CONDITIONS, type OperatorPassRecord } from "../../domain/alerts.js";
import { errorMessage } from "../../domain/error-message.js";
import { installationFindings, type OwnerFacts, type RepositoryFacts } from "../../operator/installation.js";

export interface SelfCheckDeps {
  /** Logins of the accounts the app is installed for. */
  readonly owners: () => Promise<readonly string[]>;
  /** The owner's configuration from its control repository. */
  readonly configOf: (owner: string) => Promise<OwnerConfig>;
  readonly octokitFor: (repository: string) => Promise<Octokit>;
  /** When the owner's dispatch workflow last called `POST /api/v1/dispatch`. */
  readonly lastDispatch: (owner: string) => Promise<Date | null>;
  readonly recordPass: (input: {
    findings: readonly Finding[];
    checked: readonly (typeof INSTALLATION_CONDITIONS)[number][];
  }) => Promise<OperatorPassRecord>;
  /** True while the operator is paused for maintenance. */
  readonly paused: () => Promise<boolean>;
  /** The deployment's `app:` section (control repository name, dispatch workflow and interval). */
  readonly config: Pick<Config, "app">;
  /** Whether the app serves `POST /api/v1/dispatch` (app.public_url set): only then is silence a finding. */
  readonly dispatchServed: boolean;
  readonly clock: { now(): Date };
  /** When the app started: before it, no call could have been recorded. */
  readonly startedAt: Date;
  /** How many of the default branch's latest commits to look at for required checks (default 10). */
  readonly commitsToLook?: number;
  readonly log: (message: string, detail: Record<string, unknown>) => void;
}

/** One self-check. Throws (after recording what it found, resolving nothing) when a check could not run. */
export async function runSelfCheck(deps: SelfCheckDeps): Promise<"completed" | "paused"> {
  if (await deps.paused()) return "paused";
  const findings: Finding[] = [];
  const failures: { subject: string; error: unknown }[] = [];
  for (const owner of await deps.owners()) {
    const loaded = await deps.configOf(owner);
    if (!loaded.ok) {
      // No control repository: this owner is not set up as a control-plane installation (yet).
      if (/does not exist/.test(loaded.error)) continue;
      failures.push({ subject: owner, error: new Error(loaded.error) });
      continue;
    }
    const repositories: RepositoryFacts[] = [];
    for (const repository of allowedRepositories(loaded.config, owner) ?? []) {
      try {
        repositories.push(await repositoryFacts(deps, loaded.config, repository));
      } catch (error) {
        failures.push({ subject: repository, error });
      }
    }
    const facts: OwnerFacts = {
      owner,
      controlRepository: controlRepository(deps.config, owner),
      dispatchWorkflow: deps.config.app.dispatch_workflow,
      lastDispatchAt: await deps.lastDispatch(owner),
      watchingSince: deps.startedAt,
      repositories,
    };
    const found = installationFindings(facts, deps.clock.now(), {
      dispatchIntervalMs: deps.config.app.dispatch_interval_seconds * 1000,
    });
    findings.push(
      ...(deps.dispatchServed ? found : found.filter((f) => f.condition !== "dispatch_workflow_silent")),
    );
  }
  // A check that could not run resolves nothing: then only new findings are recorded.
  await deps.recordPass({ findings, checked: failures.length ? [] : INSTALLATION_CONDITIONS });
  const [first] = failures;
  if (first) {
    for (const f of failures)
      deps.log("self-check could not check", { subject: f.subject, error: errorMessage(f.error) });
    throw first.error;
  }
  return "completed";
}

async function repositoryFacts(
  deps: SelfCheckDeps,
  config: Config,
  repository: string,
): Promise<RepositoryFacts> {
  const [owner = "", repo = ""] = repository.split("/");
  const octokit = await deps.octokitFor(repository);
  const defaultBranch = (await octokit.rest.repos.get({ owner, repo })).data.default_branch;
  const read = (path: string) => readFile(octokit, owner, repo, path, defaultBranch);
  const launcher = repositorySettings(config, repository)?.launcher;
  let agentWorkflow: RepositoryFacts["agentWorkflow"] = null;
  if (launcher?.kind === "github-workflow") {
    const path = launcher.workflow.includes("/")
      ? launcher.workflow
      : `.github/workflows/${launcher.workflow}`;
    agentWorkflow = { path, present: (await read(path)) !== null };
  }
  const branch = await octokit.rest.repos.getBranch({ owner, repo, branch: defaultBranch });
  // The evidence policy exactly as the verifier reads it (src/evidence/gather.ts): the repository's
  // own file on its default branch, the defaults without one.
  const policyText = await read(DEFAULT_CONFIG_PATH);
  const policy = parseConfig(policyText ?? "{}", `${repository}:${DEFAULT_CONFIG_PATH}`).evidence;
  const wanted = [...new Set(policy.required_checks.map((c) => c.name))];
  const seen = new Set<string>();
  let commitsLooked = 0;
  let sha: string | undefined = branch.data.commit.sha;
  const limit = deps.commitsToLook ?? 10;
  while (wanted.length && sha && commitsLooked < limit && wanted.some((name) => !seen.has(name))) {
    const runs = await octokit.rest.checks.listForRef({ owner, repo, ref: sha, per_page: 100 });
    for (const run of runs.data.check_runs) seen.add(run.name);
    commitsLooked++;
    const commit = await octokit.rest.repos.getCommit({ owner, repo, ref: sha });
    sha = commit.data.parents[0]?.sha;
  }
  return {
    repository,
    defaultBranch,
    agentWorkflow,
    protected: branch.data.protected,
    requiredChecks: wanted.map((name) => ({ name, seen: seen.has(name) })),
    commitsLooked,
  };
}

async function readFile(octokit: Octokit, owner: string, repo: string, path: string, ref: string) {
  try {
    const { data } = await octokit.rest.repos.getContent({ owner, repo, path, ref });
    if (Array.isArray(data) || data.type !== "file" || !("content" in data)) return null;
    return Buffer.from(data.content, "base64").toString("utf8");
  } catch (error) {
    if ((error as { status?: unknown }).status === 404) return null;
    throw error;
  }
}
