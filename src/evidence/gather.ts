import type { z } from "zod";
import { ConfigError, DEFAULT_CONFIG_PATH, parseConfig } from "../config/load.js";
import type { EvidenceConfig } from "../config/schema.js";
import type { CheckRunFact, DeploymentFact, GitHubFacts, PolicyFact, PullFact, StatusFact } from "./facts.js";
import type { GitHubReader, Page } from "./github-reader.js";
import {
  CheckRunsShape,
  CombinedStatusShape,
  CommitShape,
  CompareShape,
  ContentShape,
  DeploymentStatusesShape,
  DeploymentsShape,
  PullsShape,
  RepositoryShape,
} from "./github-shapes.js";
import type { Fetched } from "./types.js";

export interface RepoCoordinates {
  readonly owner: string;
  readonly repo: string;
}

export function coordinatesOf(repository: string): RepoCoordinates {
  const [owner = "", repo = ""] = repository.split("/");
  return { owner, repo };
}

/** Validates an answer's body; an unexpected shape is "unavailable", never a silently empty fact. */
function shaped<T>(answer: Fetched<Page>, shape: z.ZodType<T>, what: string): Fetched<T> {
  if (!answer.ok) return answer;
  const parsed = shape.safeParse(answer.value.body);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    reason: "github_unavailable",
    message: `${what}: unexpected answer (${parsed.error.issues[0]?.message ?? "invalid"})`,
  };
}

function map<T, U>(fact: Fetched<T>, f: (value: T) => U): Fetched<U> {
  return fact.ok ? { ok: true, value: f(fact.value) } : fact;
}

/**
 * The repository's default branch. Only reachability needs its name: the policy is read from the
 * default branch without it. (The repository's own answer changes with every push and every issue
 * opened or closed, so reading it on each check would rarely be a free 304.)
 */
export async function readDefaultBranch(
  reader: GitHubReader,
  where: RepoCoordinates,
): Promise<Fetched<string>> {
  const answer = await reader.get("GET /repos/{owner}/{repo}", { ...where });
  return map(shaped(answer, RepositoryShape, "repository"), (r) => r.default_branch);
}

/**
 * The repository policy: `.github/mission-control.yml` on the DEFAULT branch (never a pull
 * request's head), parsed with the one configuration parser. No file means the defaults. The
 * contents API reads the default branch when no `ref` is given, so the policy costs one request,
 * answered 304 while the file on the default branch is unchanged.
 */
export async function readPolicy(reader: GitHubReader, where: RepoCoordinates): Promise<PolicyFact> {
  const source = `${where.owner}/${where.repo}:${DEFAULT_CONFIG_PATH} (default branch)`;
  const answer = await reader.get("GET /repos/{owner}/{repo}/contents/{path}", {
    ...where,
    path: DEFAULT_CONFIG_PATH,
  });
  if (!answer.ok && answer.reason === "not_found")
    return {
      ok: true,
      policy: parseConfig("{}", source).evidence,
      source: `${source} (absent: defaults)`,
      url: null,
    };
  const file = shaped(answer, ContentShape, "policy file");
  if (!file.ok)
    return { ok: false, reason: "unavailable", message: `cannot read ${source}: ${file.message}` };
  const url = file.value.html_url ?? null;
  if (file.value.type !== "file" || file.value.content === undefined)
    return { ok: false, reason: "invalid", message: `${source}: is a ${file.value.type}, not a file`, url };
  const text =
    file.value.encoding === "base64"
      ? Buffer.from(file.value.content, "base64").toString("utf8")
      : file.value.content;
  try {
    return { ok: true, policy: parseConfig(text, source).evidence, source, url };
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, reason: "invalid", message: error.message, url };
    throw error;
  }
}

/**
 * Everything GitHub says about `sha` that the policy needs, each read for THAT commit: the commit,
 * its reachability from the default branch and its pull requests (if merging is required), the
 * check runs of each required name (all pages), its combined status, and per required environment
 * its latest deployment with that deployment's latest status. `defaultBranch` is needed (and only
 * read by the caller) when merging is required.
 */
export async function gatherFacts(
  reader: GitHubReader,
  where: RepoCoordinates,
  input: {
    sha: string;
    /** The commit the attempt started from: new work must be on top of it. */
    baseSha: string | null;
    defaultBranch: string | null;
    policy: EvidenceConfig;
    selfAppId: number | null;
  },
): Promise<GitHubFacts> {
  const { sha, defaultBranch, policy } = input;
  const commit = map(
    shaped(
      await reader.get("GET /repos/{owner}/{repo}/commits/{ref}", { ...where, ref: sha }),
      CommitShape,
      "commit",
    ),
    (c) => ({ sha: c.sha, url: c.html_url }),
  );
  const base: GitHubFacts = {
    sha,
    defaultBranch,
    commit,
    reachability: null,
    ancestry: null,
    pulls: null,
    checkRuns: null,
    statuses: null,
    deployments: {},
    selfAppId: input.selfAppId,
  };
  if (!commit.ok) return base;
  const ancestry = input.baseSha ? await readAncestry(reader, where, input.baseSha, sha) : null;
  const reachability =
    policy.require_merged && defaultBranch !== null
      ? await readReachability(reader, where, defaultBranch, sha)
      : null;
  const merged = reachability?.ok && ["behind", "identical"].includes(reachability.value.status);
  const pulls = policy.require_merged && !merged ? await readPulls(reader, where, sha) : null;
  const names = [...new Set(policy.required_checks.map((check) => check.name))];
  const checkRuns = names.length ? await readCheckRuns(reader, where, sha, names) : null;
  const statuses = policy.required_statuses.length ? await readStatuses(reader, where, sha) : null;
  const deployments: Record<string, Fetched<DeploymentFact | null>> = {};
  for (const environment of policy.required_environments)
    deployments[environment] = await readDeployment(reader, where, sha, environment);
  return { ...base, reachability, ancestry, pulls, checkRuns, statuses, deployments };
}

async function readAncestry(reader: GitHubReader, where: RepoCoordinates, baseSha: string, sha: string) {
  const answer = await reader.get("GET /repos/{owner}/{repo}/compare/{basehead}", {
    ...where,
    basehead: `${baseSha}...${sha}`,
  });
  return map(shaped(answer, CompareShape, "compare"), (c) => ({
    status: c.status,
    aheadBy: c.ahead_by,
    url: c.html_url,
  }));
}

async function readReachability(
  reader: GitHubReader,
  where: RepoCoordinates,
  defaultBranch: string,
  sha: string,
) {
  const answer = await reader.get("GET /repos/{owner}/{repo}/compare/{basehead}", {
    ...where,
    basehead: `${defaultBranch}...${sha}`,
  });
  return map(shaped(answer, CompareShape, "compare"), (c) => ({ status: c.status, url: c.html_url }));
}

async function readPulls(
  reader: GitHubReader,
  where: RepoCoordinates,
  sha: string,
): Promise<Fetched<readonly PullFact[]>> {
  const answer = await reader.getAll(
    "GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls",
    { ...where, commit_sha: sha },
    (body) => (Array.isArray(body) ? body : []),
  );
  return map(
    shaped(answer.ok ? { ok: true, value: { body: answer.value, link: null } } : answer, PullsShape, "pulls"),
    (pulls) =>
      pulls.map((p) => ({ number: p.number, headSha: p.head.sha, mergedAt: p.merged_at, url: p.html_url })),
  );
}

/**
 * The check runs of `sha` with the given names, one list per name (`check_name`): a run of another
 * name (another app's, or Mission Control's own check run being published) does not change these
 * lists, so re-checking them stays a 304 until a required check itself changes.
 */
export async function readCheckRuns(
  reader: GitHubReader,
  where: RepoCoordinates,
  sha: string,
  names: readonly string[],
): Promise<Fetched<readonly CheckRunFact[]>> {
  const facts: CheckRunFact[] = [];
  for (const name of names) {
    const answer = await reader.getAll(
      "GET /repos/{owner}/{repo}/commits/{ref}/check-runs",
      { ...where, ref: sha, check_name: name },
      (body) => {
        const page = CheckRunsShape.safeParse(body);
        return page.success ? page.data.check_runs : [null];
      },
    );
    if (!answer.ok) return answer;
    if (answer.value.includes(null))
      return { ok: false, reason: "github_unavailable", message: "check runs: unexpected answer" };
    const runs = answer.value as z.infer<typeof CheckRunsShape>["check_runs"];
    facts.push(
      ...runs.map((run) => ({
        id: run.id,
        name: run.name,
        headSha: run.head_sha,
        status: run.status,
        conclusion: run.conclusion,
        appId: run.app?.id ?? null,
        appSlug: run.app?.slug ?? null,
        url: run.html_url ?? run.details_url ?? null,
      })),
    );
  }
  return { ok: true, value: facts };
}

async function readStatuses(
  reader: GitHubReader,
  where: RepoCoordinates,
  sha: string,
): Promise<Fetched<readonly StatusFact[]>> {
  const answer = await reader.get("GET /repos/{owner}/{repo}/commits/{ref}/status", {
    ...where,
    ref: sha,
    per_page: 100,
  });
  return map(shaped(answer, CombinedStatusShape, "combined status"), (combined) =>
    combined.statuses.map((s) => ({ context: s.context, state: s.state, url: s.target_url })),
  );
}

async function readDeployment(
  reader: GitHubReader,
  where: RepoCoordinates,
  sha: string,
  environment: string,
): Promise<Fetched<DeploymentFact | null>> {
  // Newest first, as GitHub lists them: the first is the latest deployment of the commit there.
  const listed = shaped(
    await reader.get("GET /repos/{owner}/{repo}/deployments", { ...where, sha, environment, per_page: 1 }),
    DeploymentsShape,
    "deployments",
  );
  if (!listed.ok) return listed;
  const latest = listed.value.find((d) => d.sha === sha && d.environment === environment);
  if (!latest) return { ok: true, value: null };
  const statuses = shaped(
    await reader.get("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", {
      ...where,
      deployment_id: latest.id,
      per_page: 1,
    }),
    DeploymentStatusesShape,
    "deployment statuses",
  );
  return map(statuses, (list) => {
    const status = list[0];
    return {
      id: latest.id,
      sha: latest.sha,
      environment,
      state: status?.state ?? null,
      url: status?.log_url || status?.target_url || status?.environment_url || latest.url,
    };
  });
}
