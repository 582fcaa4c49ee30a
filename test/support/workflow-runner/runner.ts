/**
 * A small local GitHub Actions runner for tests: it EXECUTES the shipped workflow files instead of
 * re-implementing them. Given a caller workflow file and a run of it in the GitHub stand-in, it
 * expands `uses:` of a reusable workflow (this project's `.github/workflows/*.yml`), checks inputs,
 * secrets and permissions as GitHub does, orders jobs by `needs` (with `if:`), and runs each job's
 * steps in order: `run:` steps with bash (`bash --noprofile --norc -eo pipefail`, as GitHub) in the
 * job's environment, `uses:` steps with the stand-ins of ./actions.ts. Each job is a job of the run
 * in the stand-in (`gh.actions.startJob`): a job with `id-token: write` gets
 * `ACTIONS_ID_TOKEN_REQUEST_URL`/`_TOKEN`, another does not. Anything it does not support throws
 * (UnsupportedConstruct / UnsupportedExpression): a test must fail rather than pass by omission.
 * Not supported: matrix, services, containers, outputs, GITHUB_ENV/GITHUB_OUTPUT, composite actions.
 */
import { spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parse } from "yaml";
import type { GitHubStandin, WorkflowRunRecord } from "../../../src/github-standin/index.js";
import { runAction, UnsupportedConstruct } from "./actions.js";
import { asText, type ExpressionContext, evaluateCondition, interpolate, type Value } from "./expressions.js";
import { type LocalPackage, writeNpmShim } from "./npm-shim.js";

export { UnsupportedConstruct } from "./actions.js";
export { UnsupportedExpression } from "./expressions.js";

export interface RunnerOptions {
  readonly gh: GitHubStandin;
  /** Reusable workflows called as `<repository>/.github/workflows/<file>@<ref>` are read from `root`. */
  readonly reusable: { readonly repository: string; readonly root: string };
  /** What `npm install --global <spec>` may install (./npm-shim.ts). */
  readonly packages: Readonly<Record<string, LocalPackage>>;
  /** A folder of the test's: each job gets its home, temp and workspace under it. */
  readonly workDir: string;
  /** PATH after the job's own bin folder (must find node, git, bash). */
  readonly path: string;
}

export interface WorkflowCall {
  /** The caller workflow file, e.g. examples/target-repository/.github/workflows/mission-control-agent.yml. */
  readonly file: string;
  /** Its run in the stand-in (event, inputs, ref and sha come from it). */
  readonly run: WorkflowRunRecord;
  readonly repository: string;
  readonly secrets?: Readonly<Record<string, string>>;
  readonly vars?: Readonly<Record<string, string>>;
  /**
   * The edits a person makes when copying the caller file (e.g. the example app URL → theirs),
   * applied to its text before it is read. Only the caller's: the reusable files run as shipped.
   */
  readonly edits?: Readonly<Record<string, string>>;
}

export type JobOutcome = "success" | "failure" | "skipped";

export interface JobResult {
  readonly name: string;
  readonly result: JobOutcome;
  /** The job's folders (home, runner temp, workspace) and the environment its steps had. */
  readonly dirs: { readonly home: string; readonly temp: string; readonly workspace: string };
  readonly env: Readonly<Record<string, string>>;
  readonly log: string;
}

type Yaml = Record<string, unknown>;
const WORKFLOW_KEYS = ["name", "run-name", "on", "permissions", "concurrency", "jobs"];
const JOB_KEYS = [
  "name",
  "runs-on",
  "timeout-minutes",
  "permissions",
  "needs",
  "if",
  "steps",
  "uses",
  "with",
  "secrets",
];
const STEP_KEYS = ["name", "uses", "with", "run", "env", "if", "continue-on-error"];

interface Job {
  readonly id: string;
  readonly spec: Yaml;
  readonly permissions: Readonly<Record<string, string>>;
  readonly contexts: Readonly<Record<string, Value>>;
  readonly jobWorkflowRef?: string;
}

/** Runs the caller workflow for `call.run` and returns each job's result, in the order they ran. */
export async function runWorkflow(options: RunnerOptions, call: WorkflowCall): Promise<JobResult[]> {
  const caller = await load(call.file, call.edits);
  const inputs = Object.fromEntries(
    Object.entries(call.run.inputs ?? {}).map(([k, v]) => [k, asText(v as Value)]),
  );
  const github: Value = {
    repository: call.repository,
    event_name: call.run.event,
    ref: `refs/heads/${call.run.headBranch}`,
    sha: call.run.headSha,
    run_id: String(call.run.id),
  };
  const callerContexts = { inputs, secrets: { ...call.secrets }, vars: { ...call.vars }, github };
  const callerPermissions = permissionsOf(caller.permissions) ?? {};
  const jobs: Job[] = [];
  for (const [id, spec] of Object.entries(caller.jobs as Record<string, Yaml>)) {
    checkKeys(spec, JOB_KEYS, `job ${id}`);
    if (typeof spec.uses !== "string") {
      jobs.push({
        id,
        spec,
        permissions: permissionsOf(spec.permissions) ?? callerPermissions,
        contexts: callerContexts,
      });
      continue;
    }
    const allowed = permissionsOf(spec.permissions) ?? callerPermissions;
    const ctx = { contexts: callerContexts, succeeded: true };
    const withs = mapValues((spec.with ?? {}) as Yaml, (v) => interpolate(String(v), ctx));
    if (spec.secrets === "inherit")
      throw new UnsupportedConstruct(`job ${id}: secrets: inherit (pass each secret explicitly)`);
    const secrets = mapValues((spec.secrets ?? {}) as Yaml, (v) => interpolate(String(v), ctx));
    const { file, ref } = resolveReusable(options, spec.uses);
    const reusable = await load(file);
    const declared = ((reusable.on as Yaml)?.workflow_call ?? null) as Yaml | null;
    if (!declared)
      throw new UnsupportedConstruct(`${spec.uses} is not a reusable workflow (no on.workflow_call)`);
    const calledInputs = bindDeclared(
      "input",
      (declared.inputs ?? {}) as Record<string, Yaml>,
      withs,
      spec.uses,
    );
    const calledSecrets = bindDeclared(
      "secret",
      (declared.secrets ?? {}) as Record<string, Yaml>,
      secrets,
      spec.uses,
    );
    const defaults = permissionsOf(reusable.permissions);
    for (const [nested, nestedSpec] of Object.entries(reusable.jobs as Record<string, Yaml>)) {
      checkKeys(nestedSpec, JOB_KEYS, `job ${id} / ${nested}`);
      const wanted = permissionsOf(nestedSpec.permissions) ?? defaults ?? allowed;
      for (const [scope, level] of Object.entries(wanted))
        if (level === "write" && allowed[scope] !== "write")
          throw new UnsupportedConstruct(
            `the nested job '${nested}' is requesting '${scope}: write', but is only allowed '${scope}: ${allowed[scope] ?? "none"}'`,
          );
      jobs.push({
        id: nested,
        spec: nestedSpec,
        permissions: wanted,
        contexts: { inputs: calledInputs, secrets: calledSecrets, github },
        jobWorkflowRef: `${options.reusable.repository}/${path.relative(options.reusable.root, file)}@refs/heads/${ref}`,
      });
    }
  }
  return runJobs(options, call, jobs);
}

async function runJobs(
  options: RunnerOptions,
  call: WorkflowCall,
  jobs: readonly Job[],
): Promise<JobResult[]> {
  const results = new Map<string, JobResult>();
  const artifacts = path.join(options.workDir, `run-${call.run.id}`, "artifacts");
  await mkdir(artifacts, { recursive: true });
  const pending = [...jobs];
  while (pending.length) {
    const index = pending.findIndex((job) => needsOf(job).every((need) => results.has(need)));
    if (index < 0)
      throw new UnsupportedConstruct(`jobs ${pending.map((j) => j.id).join(", ")} need jobs that never run`);
    const [job] = pending.splice(index, 1);
    if (!job) break;
    const needs = Object.fromEntries(
      needsOf(job).map((n) => [n, { result: results.get(n)?.result ?? "skipped" }]),
    );
    const ctx: ExpressionContext = {
      contexts: { ...job.contexts, needs },
      succeeded: Object.values(needs).every((n) => n.result === "success"),
    };
    const dirs = {
      home: path.join(options.workDir, `run-${call.run.id}`, job.id, "home"),
      temp: path.join(options.workDir, `run-${call.run.id}`, job.id, "temp"),
      workspace: path.join(options.workDir, `run-${call.run.id}`, job.id, "workspace"),
    };
    if (!evaluateCondition(job.spec.if as string | undefined, ctx)) {
      results.set(job.id, { name: job.id, result: "skipped", dirs, env: {}, log: "" });
      continue;
    }
    results.set(job.id, await runJob(options, call, job, dirs, artifacts, ctx.contexts));
  }
  return [...results.values()];
}

async function runJob(
  options: RunnerOptions,
  call: WorkflowCall,
  job: Job,
  dirs: JobResult["dirs"],
  artifacts: string,
  contexts: Readonly<Record<string, Value>>,
): Promise<JobResult> {
  for (const dir of Object.values(dirs)) await mkdir(dir, { recursive: true });
  const bin = path.join(dirs.home, ".local-runner-bin");
  await mkdir(bin, { recursive: true });
  await writeNpmShim(bin, options.packages);
  const started = options.gh.actions.startJob(call.run, {
    name: job.id,
    idToken: job.permissions["id-token"] === "write",
    ...(job.jobWorkflowRef ? { jobWorkflowRef: job.jobWorkflowRef } : {}),
  });
  const summary = path.join(dirs.temp, "_step_summary");
  const env: Record<string, string> = {
    PATH: `${bin}:${options.path}`,
    HOME: dirs.home,
    CI: "true",
    RUNNER_OS: "Linux",
    RUNNER_TEMP: dirs.temp,
    GITHUB_WORKSPACE: dirs.workspace,
    GITHUB_STEP_SUMMARY: summary,
    GIT_TERMINAL_PROMPT: "0",
    ...started.env,
  };
  const runnerContext = { temp: dirs.temp, os: "Linux" };
  let succeeded = true;
  let log = "";
  let stepEnv: Record<string, string> = env;
  for (const [index, step] of ((job.spec.steps ?? []) as Yaml[]).entries()) {
    checkKeys(step, STEP_KEYS, `job ${job.id} step ${index + 1}`);
    const ctx: ExpressionContext = { contexts: { ...contexts, runner: runnerContext, env }, succeeded };
    if (!evaluateCondition(step.if as string | undefined, ctx)) continue;
    stepEnv = { ...env, ...mapValues((step.env ?? {}) as Yaml, (v) => interpolate(String(v), ctx)) };
    const label = String(step.name ?? step.uses ?? step.run ?? `step ${index + 1}`).split("\n")[0];
    try {
      if (typeof step.run === "string")
        log += await bash(interpolate(step.run, ctx), dirs.workspace, stepEnv, dirs.temp);
      else if (typeof step.uses === "string") {
        const withs = mapValues((step.with ?? {}) as Yaml, (v) => interpolate(String(v), ctx));
        await runAction(step.uses, {
          with: withs,
          workspace: dirs.workspace,
          artifacts,
          env: stepEnv,
          repository: {
            name: call.repository,
            url: options.gh.git.url(call.repository),
            sha: call.run.headSha,
          },
        });
      } else throw new UnsupportedConstruct(`job ${job.id} step ${index + 1} has neither run nor uses`);
    } catch (error) {
      if (error instanceof UnsupportedConstruct) throw error;
      log += `step "${label}" failed: ${(error as Error).message}\n`;
      if (step["continue-on-error"] !== true) succeeded = false;
    }
  }
  options.gh.actions.endJob(started, succeeded ? "success" : "failure");
  return { name: job.id, result: succeeded ? "success" : "failure", dirs, env: stepEnv, log };
}

function bash(script: string, cwd: string, env: Record<string, string>, temp: string): Promise<string> {
  return (async () => {
    const file = path.join(temp, `step-${Date.now()}-${Math.random().toString(36).slice(2)}.sh`);
    await writeFile(file, script);
    const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", file], {
      cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    if (code !== 0) throw new Error(`exit ${code}\n${out}`);
    return out;
  })();
}

async function load(file: string, edits: Readonly<Record<string, string>> = {}): Promise<Yaml> {
  let text = await readFile(file, "utf8");
  for (const [from, to] of Object.entries(edits)) {
    if (!text.includes(from)) throw new UnsupportedConstruct(`${file} has no "${from}" to edit`);
    text = text.replaceAll(from, to);
  }
  const doc = parse(text) as Yaml;
  checkKeys(doc, WORKFLOW_KEYS, file);
  return doc;
}

function resolveReusable(options: RunnerOptions, uses: string): { file: string; ref: string } {
  const match = /^([^/]+\/[^/]+)\/(\.github\/workflows\/[^@]+)@(.+)$/.exec(uses);
  if (!match || match[1] !== options.reusable.repository)
    throw new UnsupportedConstruct(
      `uses: ${uses} (the local runner calls only ${options.reusable.repository}'s workflows)`,
    );
  return { file: path.join(options.reusable.root, match[2] ?? ""), ref: match[3] ?? "" };
}

/** GitHub's checks on a call: every given value declared, every required one given; defaults applied. */
function bindDeclared(
  kind: "input" | "secret",
  declared: Record<string, Yaml>,
  given: Record<string, string>,
  uses: string,
): Record<string, Value> {
  for (const name of Object.keys(given))
    if (!(name in declared))
      throw new UnsupportedConstruct(`${uses}: ${kind} ${name} is not defined by the workflow`);
  const bound: Record<string, Value> = {};
  for (const [name, spec] of Object.entries(declared)) {
    if (name in given) bound[name] = given[name] ?? "";
    else if (spec?.required === true)
      throw new UnsupportedConstruct(`${uses}: required ${kind} ${name} not given`);
    else if (spec?.default !== undefined) bound[name] = asText(spec.default as Value);
  }
  return bound;
}

function permissionsOf(value: unknown): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== "object")
    throw new UnsupportedConstruct(`permissions: ${String(value)} (the local runner needs a map)`);
  return mapValues(value as Yaml, String);
}

function needsOf(job: Job): string[] {
  const needs = job.spec.needs;
  return needs === undefined ? [] : Array.isArray(needs) ? needs.map(String) : [String(needs)];
}

function checkKeys(value: Yaml, allowed: readonly string[], where: string): void {
  const extra = Object.keys(value).filter((key) => !allowed.includes(key));
  if (extra.length)
    throw new UnsupportedConstruct(`${where}: ${extra.join(", ")} not supported by the local runner`);
}

function mapValues<T>(value: Yaml, fn: (v: unknown) => T): Record<string, T> {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fn(v)]));
}
