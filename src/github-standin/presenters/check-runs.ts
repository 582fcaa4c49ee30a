import { isoTime } from "../world/clock.js";
import { nodeId } from "../world/ids.js";
import { isPull } from "../world/pulls.js";
import type { CheckRunRecord, RepositoryRecord } from "../world/types.js";
import { presentAppById } from "./apps.js";
import { presentPullMinimal } from "./pulls.js";
import { repoApiUrl, repoHtmlUrl } from "./repositories.js";
import type { Json, JsonObject, View } from "./view.js";

const time = (ms: number | null) => (ms === null ? null : isoTime(ms));

/** Open pull requests whose head is the run's commit, as GitHub lists them on a check run. */
function pullsAt(view: View, repo: RepositoryRecord, sha: string): Json[] {
  return [...repo.issues.values()]
    .filter(isPull)
    .filter((pull) => pull.state === "open" && pull.pull.headSha === sha)
    .map((pull) => presentPullMinimal(view, repo, pull));
}

/** "CheckRun" (REST); the webhook form adds the full check suite, see presentCheckRunForWebhook. */
export function presentCheckRun(view: View, repo: RepositoryRecord, run: CheckRunRecord): JsonObject {
  const api = `${repoApiUrl(view, repo)}/check-runs/${run.id}`;
  return {
    id: run.id,
    node_id: nodeId("CR", run.id),
    head_sha: run.headSha,
    external_id: run.externalId ?? "",
    url: api,
    html_url: `${repoHtmlUrl(view, repo)}/runs/${run.id}`,
    details_url: run.detailsUrl ?? `${repoHtmlUrl(view, repo)}/runs/${run.id}`,
    status: run.status,
    conclusion: run.conclusion,
    started_at: time(run.startedAt),
    completed_at: time(run.completedAt),
    output: {
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotations_count: 0,
      annotations_url: `${api}/annotations`,
    },
    name: run.name,
    check_suite: { id: run.checkSuiteId },
    app: presentAppById(view, run.appId),
    pull_requests: pullsAt(view, repo, run.headSha),
  };
}

/** The check run as `check_run` webhooks carry it (with its suite's details). */
export function presentCheckRunForWebhook(
  view: View,
  repo: RepositoryRecord,
  run: CheckRunRecord,
): JsonObject {
  const suite = repo.checkSuites.get(run.checkSuiteId);
  const runs = [...repo.checkRuns.values()].filter((r) => r.checkSuiteId === run.checkSuiteId);
  const suiteStatus = runs.every((r) => r.status === "completed")
    ? "completed"
    : runs.some((r) => r.status === "in_progress")
      ? "in_progress"
      : "queued";
  const pulls = pullsAt(view, repo, run.headSha);
  return {
    ...presentCheckRun(view, repo, run),
    check_suite: {
      id: run.checkSuiteId,
      node_id: nodeId("CS", run.checkSuiteId),
      head_branch: suite?.headBranch ?? null,
      head_sha: run.headSha,
      status: suiteStatus,
      conclusion:
        suiteStatus === "completed"
          ? (runs.find((r) => r.conclusion !== "success")?.conclusion ?? "success")
          : null,
      url: `${repoApiUrl(view, repo)}/check-suites/${run.checkSuiteId}`,
      before: null,
      after: run.headSha,
      pull_requests: pulls,
      app: presentAppById(view, run.appId),
      created_at: isoTime(suite?.createdAt ?? run.startedAt ?? 0),
      // The suite last changed when one of its runs did (not "now": a payload renders the world's state).
      updated_at: isoTime(
        Math.max(suite?.createdAt ?? 0, ...runs.flatMap((r) => [r.startedAt ?? 0, r.completedAt ?? 0])),
      ),
    },
  };
}
