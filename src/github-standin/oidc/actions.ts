import type { View } from "../presenters/view.js";
import type { Actor } from "../world/actor.js";
import { completeRun, endJob, type JobInput, jobsOf, startJob, workflowRefOf } from "../world/jobs.js";
import type {
  RepositoryRecord,
  WorkflowJobRecord,
  WorkflowRunConclusion,
  WorkflowRunRecord,
} from "../world/types.js";
import type { WorldState } from "../world/world-state.js";

/** A running job as its steps see it: the record and the environment GitHub gives it. */
export interface StartedJob {
  readonly id: number;
  readonly record: WorkflowJobRecord;
  /** `GITHUB_*`, and `ACTIONS_ID_TOKEN_REQUEST_URL`/`_TOKEN` only with `idToken` (`id-token: write`). */
  readonly env: Readonly<Record<string, string>>;
}

type JobRef = StartedJob | WorkflowJobRecord | number;

/**
 * Runs and jobs of GitHub Actions, as a test arranges them (no HTTP): a job of an existing run,
 * with the environment its runner gets; ending it revokes its OIDC request token.
 */
export class StandinActions {
  constructor(
    readonly world: WorldState,
    readonly view: () => View,
  ) {}

  startJob(run: WorkflowRunRecord | number, input: JobInput = {}): StartedJob {
    const { repo, run: record } = this.#run(run);
    const job = startJob(this.world, repo, record, input, this.#actorOf(record));
    return { id: job.id, record: job, env: this.#env(repo, record, job) };
  }

  endJob(job: JobRef, conclusion: WorkflowRunConclusion = "success"): WorkflowJobRecord {
    const record = this.#job(job);
    return endJob(this.world, record, conclusion, this.#actorOf(this.#run(record.runId).run));
  }

  /** Completes a run (its open jobs end with the same conclusion). */
  completeRun(
    run: WorkflowRunRecord | number,
    conclusion: WorkflowRunConclusion = "success",
  ): WorkflowRunRecord {
    const found = this.#run(run);
    return completeRun(this.world, found.repo, found.run, conclusion, this.#actorOf(found.run));
  }

  jobsOf(run: WorkflowRunRecord | number): WorkflowJobRecord[] {
    return jobsOf(this.world, this.#run(run).run);
  }

  #env(repo: RepositoryRecord, run: WorkflowRunRecord, job: WorkflowJobRecord): Record<string, string> {
    const { urls } = this.view();
    const env: Record<string, string> = {
      GITHUB_ACTIONS: "true",
      GITHUB_REPOSITORY: this.world.fullName(repo),
      GITHUB_REPOSITORY_ID: String(repo.id),
      GITHUB_RUN_ID: String(run.id),
      GITHUB_RUN_NUMBER: String(run.runNumber),
      GITHUB_RUN_ATTEMPT: "1",
      GITHUB_JOB: job.name,
      GITHUB_EVENT_NAME: run.event,
      GITHUB_REF: `refs/heads/${run.headBranch}`,
      GITHUB_SHA: run.headSha,
      GITHUB_WORKFLOW_REF: workflowRefOf(this.world, repo, run),
      GITHUB_API_URL: urls.api,
      GITHUB_SERVER_URL: urls.html,
    };
    if (job.requestToken !== null) {
      env.ACTIONS_ID_TOKEN_REQUEST_URL = `${urls.api}/_actions/jobs/${job.id}/idtoken?api-version=2.0`;
      env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = job.requestToken;
    }
    return env;
  }

  /** GitHub's workflow events name the person who triggered the run as sender. */
  #actorOf(run: WorkflowRunRecord): Actor {
    return { user: this.world.requireUser(run.actorId), viaAppId: null };
  }

  #run(ref: WorkflowRunRecord | number): { repo: RepositoryRecord; run: WorkflowRunRecord } {
    const id = typeof ref === "number" ? ref : ref.id;
    for (const repo of this.world.repositories.values()) {
      const run = repo.workflowRuns.get(id);
      if (run) return { repo, run };
    }
    throw new Error(`stand-in actions: no workflow run ${id}`);
  }

  #job(ref: JobRef): WorkflowJobRecord {
    const id = typeof ref === "number" ? ref : ref.id;
    const job = this.world.workflowJobs.get(id);
    if (!job) throw new Error(`stand-in actions: no job ${id}`);
    return job;
  }
}
