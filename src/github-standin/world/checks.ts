import type { Actor } from "./actor.js";
import { invalid, notFound, ok, type Result } from "./results.js";
import type {
  CheckConclusion,
  CheckOutput,
  CheckRunRecord,
  CheckStatus,
  CheckSuiteRecord,
  RepositoryRecord,
} from "./types.js";
import type { WorldState } from "./world-state.js";

export interface CheckRunInput {
  readonly name: string;
  readonly headSha: string;
  readonly status?: CheckStatus;
  readonly conclusion?: CheckConclusion | null;
  readonly externalId?: string | null;
  readonly detailsUrl?: string | null;
  readonly startedAt?: number | null;
  readonly completedAt?: number | null;
  readonly output?: Partial<CheckOutput>;
}

/** The app's check suite for a commit, created on first use (GitHub makes one per app and sha). */
function suiteFor(
  world: WorldState,
  repo: RepositoryRecord,
  appId: number,
  headSha: string,
): CheckSuiteRecord {
  for (const suite of repo.checkSuites.values())
    if (suite.appId === appId && suite.headSha === headSha) return suite;
  const headBranch = [...repo.branches].find(([, tip]) => tip === headSha)?.[0] ?? null;
  const suite: CheckSuiteRecord = { id: world.ids.id(), appId, headSha, headBranch, createdAt: world.now() };
  repo.checkSuites.set(suite.id, suite);
  return suite;
}

/**
 * Creates a check run for an app. A conclusion implies `completed` (as on GitHub); `completed`
 * without a conclusion is refused with 422. Emits `check_run.created`, and `completed` if it is.
 */
export function createCheckRun(
  world: WorldState,
  repo: RepositoryRecord,
  appId: number,
  input: CheckRunInput,
  actor: Actor,
): Result<CheckRunRecord> {
  if (!repo.commits.has(input.headSha))
    return invalid("CheckRun", "head_sha", "invalid", "No commit found for SHA");
  const conclusion = input.conclusion ?? null;
  const status: CheckStatus = conclusion ? "completed" : (input.status ?? "queued");
  if (status === "completed" && !conclusion)
    return invalid(
      "CheckRun",
      "conclusion",
      "missing_field",
      "conclusion is required when status is completed",
    );
  const now = world.now();
  const run: CheckRunRecord = {
    id: world.ids.id(),
    appId,
    checkSuiteId: suiteFor(world, repo, appId, input.headSha).id,
    headSha: input.headSha,
    name: input.name,
    status,
    conclusion,
    startedAt: input.startedAt ?? now,
    completedAt: status === "completed" ? (input.completedAt ?? now) : null,
    externalId: input.externalId ?? null,
    detailsUrl: input.detailsUrl ?? null,
    output: {
      title: input.output?.title ?? null,
      summary: input.output?.summary ?? null,
      text: input.output?.text ?? null,
    },
  };
  repo.checkRuns.set(run.id, run);
  world.emit({
    kind: "check_run",
    action: "created",
    repositoryId: repo.id,
    checkRunId: run.id,
    senderId: actor.user.id,
  });
  if (status === "completed")
    world.emit({
      kind: "check_run",
      action: "completed",
      repositoryId: repo.id,
      checkRunId: run.id,
      senderId: actor.user.id,
    });
  return ok(run);
}

export type CheckRunChanges = Omit<Partial<CheckRunInput>, "headSha">;

/** Updates a check run; moving to completed emits `check_run.completed`. */
export function updateCheckRun(
  world: WorldState,
  repo: RepositoryRecord,
  run: CheckRunRecord,
  changes: CheckRunChanges,
  actor: Actor,
): Result<CheckRunRecord> {
  const wasCompleted = run.status === "completed";
  const conclusion = changes.conclusion ?? (changes.status === undefined ? run.conclusion : null);
  const status: CheckStatus = changes.conclusion ? "completed" : (changes.status ?? run.status);
  if (status === "completed" && !conclusion)
    return invalid(
      "CheckRun",
      "conclusion",
      "missing_field",
      "conclusion is required when status is completed",
    );
  if (changes.name !== undefined) run.name = changes.name;
  if (changes.externalId !== undefined) run.externalId = changes.externalId;
  if (changes.detailsUrl !== undefined) run.detailsUrl = changes.detailsUrl;
  if (changes.startedAt !== undefined) run.startedAt = changes.startedAt;
  if (changes.output) run.output = { ...run.output, ...changes.output };
  run.status = status;
  run.conclusion = status === "completed" ? conclusion : null;
  run.completedAt = status === "completed" ? (changes.completedAt ?? run.completedAt ?? world.now()) : null;
  if (status === "completed" && !wasCompleted)
    world.emit({
      kind: "check_run",
      action: "completed",
      repositoryId: repo.id,
      checkRunId: run.id,
      senderId: actor.user.id,
    });
  return ok(run);
}

export function findCheckRun(repo: RepositoryRecord, id: number): Result<CheckRunRecord> {
  const run = repo.checkRuns.get(id);
  return run ? ok(run) : notFound("CheckRun");
}

/** Check runs for a commit, newest first, optionally filtered like `GET /commits/{ref}/check-runs`. */
export function checkRunsFor(
  repo: RepositoryRecord,
  sha: string,
  filter: {
    readonly checkName?: string;
    readonly status?: CheckStatus;
    readonly appId?: number;
    readonly latestOnly?: boolean;
  },
): CheckRunRecord[] {
  let runs = [...repo.checkRuns.values()]
    .filter((run) => run.headSha === sha)
    .filter((run) => filter.checkName === undefined || run.name === filter.checkName)
    .filter((run) => filter.status === undefined || run.status === filter.status)
    .filter((run) => filter.appId === undefined || run.appId === filter.appId)
    .sort((a, b) => b.id - a.id);
  if (filter.latestOnly !== false) {
    // GitHub's default filter=latest keeps the most recent run per (app, name).
    const seen = new Set<string>();
    runs = runs.filter((run) => {
      const key = `${run.appId}\0${run.name}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
  return runs;
}
