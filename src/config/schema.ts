/**
 * The one configuration schema. Every reader of configuration (the CLI, the dispatcher, the
 * worker runner, later the app and the verifier) parses YAML with the `yaml` package and validates
 * it here; nothing reads configuration any other way.
 *
 * Keys are snake_case as written in YAML. Objects are strict: an unknown key is an error (a typo
 * must not silently fall back to a default). Booleans must be YAML booleans (`true`/`false`).
 */
import { z } from "zod";

const seconds = (fallback: number) =>
  z
    .number()
    .int()
    .positive()
    .max(7 * 24 * 3600)
    .default(fallback);
const name = z.string().trim().min(1).max(200);

/** `owner/name` of a GitHub repository (the letters GitHub allows in owners and names). */
export const RepositoryNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/, "must be owner/name, e.g. acme/api");

export const LauncherSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("command"),
    /**
     * argv of the worker process, with placeholders {attempt}, {ticket} and {launch_key}.
     * Default: this mctl running `worker run` for the attempt.
     */
    command: z.array(z.string().min(1)).min(1).optional(),
  }),
  z.strictObject({
    kind: z.literal("github-workflow"),
    /**
     * Refused: the agent workflow always runs in the ticket's own repository (a ticket of B
     * launched in A's workflow would be verified against the wrong repository).
     */
    repository: z
      .never({
        error:
          "is no longer accepted: the github-workflow launcher always dispatches in the ticket's own repository; remove `repository` and list the repositories under `repositories:`",
      })
      .optional(),
    workflow: name.default("mission-control-agent.yml"),
    ref: name.default("main"),
  }),
]);

/** Policy rules a repository sets for itself (absent: the `dispatch.policy` ones). */
export const RepositoryPolicySchema = z.strictObject({
  excluded_campaigns: z.array(name).optional(),
  excluded_labels: z.array(name).optional(),
});

/** One repository of the allow-list; every key is optional (`acme/api: {}`). */
export const RepositorySchema = z.strictObject({
  /** How this repository's tickets are launched (absent: `dispatch.launcher`). */
  launcher: LauncherSchema.optional(),
  /** Live attempts of this repository at most (absent: only the global `dispatch.max_workers`). */
  max_workers: z.number().int().min(1).max(100_000).optional(),
  policy: RepositoryPolicySchema.optional(),
});

/**
 * The allow-list: repositories whose issues, comments and tickets Mission Control acts on, keyed
 * `owner/name`. Absent: every repository (local mode).
 */
export const RepositoriesSchema = z
  .record(
    RepositoryNameSchema,
    RepositorySchema.nullable().transform((entry) => entry ?? {}),
  )
  .optional();

export const DispatchSchema = z.strictObject({
  max_workers: z.number().int().min(1).max(100_000).default(2),
  /** How long an attempt may go without a heartbeat before the dispatcher expires it. */
  attempt_lease_seconds: seconds(900),
  /**
   * How long an attempt bound to a GitHub Actions run outlives its run once GitHub reports the run
   * completed without the attempt being reported (complete, needs-input, fail); then it is lost.
   */
  run_grace_seconds: seconds(300),
  /** How long the dispatch lease lasts; a dispatcher that dies is replaced after this. */
  lease_seconds: seconds(120),
  backoff: z
    .strictObject({ base_seconds: seconds(60), cap_seconds: seconds(3600) })
    .default({ base_seconds: 60, cap_seconds: 3600 }),
  /** Attempts after which a ticket leaves the queue and waits for a decision. */
  max_attempts: z.number().int().min(1).max(100).default(3),
  /** Claims per cycle at most (besides free worker slots). */
  batch_size: z.number().int().min(1).max(1000).default(50),
  /** Queued tickets examined per cycle at most (blocked, backing off and refused ones count). */
  scan_limit: z.number().int().min(1).max(100_000).default(1000),
  /** Assignees that are agents; a ticket assigned to anyone else belongs to a person. */
  agent_identities: z.array(name).default(["mission-control-agent"]),
  policy: z
    .strictObject({
      excluded_campaigns: z.array(name).default([]),
      excluded_labels: z.array(name).default(["no-agent"]),
    })
    .default({ excluded_campaigns: [], excluded_labels: ["no-agent"] }),
  launcher: LauncherSchema.default({ kind: "command" }),
});

export const WorkerSchema = z.strictObject({
  /** The agent command (argv), with placeholders {ticket}, {attempt}, {ticket_file}. */
  agent_command: z.array(z.string().min(1)).min(1).optional(),
  /** Run in the worktree after the agent exits; its exit code is part of the evidence. */
  test_command: z.array(z.string().min(1)).min(1).optional(),
  /** Where ticket worktrees are created (relative to the repository). */
  worktree_root: z.string().min(1).default(".mission-control/worktrees"),
  remote: name.default("origin"),
  heartbeat_seconds: seconds(30),
  /** How long a stopped agent (or test command) gets after SIGTERM before SIGKILL. */
  stop_grace_seconds: seconds(10),
  /** The test command is stopped (and counts as failed) after this long. */
  test_timeout_seconds: seconds(1800),
  /** The agent's output kept as the attempt's log: its head and tail, at most this many bytes. */
  log_max_bytes: z
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024)
    .default(64 * 1024),
  /**
   * Runs the agent (and the test command) as another OS user: the runner must be root to drop to it.
   * Without it the agent is trusted: it runs as the runner's user with the runner's environment.
   */
  sandbox: z
    .strictObject({ user: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, "must be a user name") })
    .optional(),
  /**
   * The environment variables a sandboxed agent gets from the runner's (an allow-list; the runner
   * adds MCTL_TICKET, MCTL_ATTEMPT, MCTL_TICKET_FILE, MCTL_BRANCH and the signal channel itself).
   * Default: PATH, HOME (the sandbox user's), LANG, TERM, TZ. Credentials are refused.
   */
  agent_env: z
    .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name"))
    .superRefine((names, ctx) => {
      for (const name of names) {
        const why = forbiddenAgentVariable(name);
        if (why) ctx.addIssue({ code: "custom", message: `${name} cannot be given to the agent: ${why}` });
      }
    })
    .optional(),
});

/** Why a variable may never reach an agent's environment, or undefined when it may. */
export function forbiddenAgentVariable(name: string): string | undefined {
  const upper = name.toUpperCase();
  if (FORBIDDEN_AGENT_VARIABLES.has(upper)) return "it is a credential of the runner or the app";
  if (upper.startsWith("MCTL_"))
    return "MCTL_* variables are the runner's (it sets the ones the agent needs)";
  return undefined;
}

const FORBIDDEN_AGENT_VARIABLES: ReadonlySet<string> = new Set([
  "DATABASE_URL",
  "PRIVATE_KEY",
  "PRIVATE_KEY_PATH",
  "WEBHOOK_SECRET",
  "GITHUB_TOKEN",
  "GH_TOKEN",
  "GITHUB_CLIENT_SECRET",
  "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
  "ACTIONS_RUNTIME_TOKEN",
  "PGPASSWORD",
]);

/** The check run the verifier publishes; it never counts as evidence for itself. */
export const EVIDENCE_CHECK_NAME = "Mission Control / evidence";

/** What completion must be proven by, per repository (read from its default branch). */
export const EvidenceSchema = z.strictObject({
  /** Check runs that must have completed with `success` on the commit; `app` (a slug) pins who ran it. */
  required_checks: z
    .array(
      z.strictObject({
        name: name.refine((value) => value !== EVIDENCE_CHECK_NAME, {
          message: `"${EVIDENCE_CHECK_NAME}" is Mission Control's own check run and cannot be required`,
        }),
        app: name.optional(),
      }),
    )
    .default([]),
  /** Commit status contexts whose latest state must be `success`. */
  required_statuses: z.array(name).default([]),
  /** The commit must be reachable from the default branch or be the head of a merged pull request. */
  require_merged: z.boolean().default(false),
  /** Environments with a deployment of the commit whose latest status is `success`. */
  required_environments: z.array(name).default([]),
  /** The worker's own test run must have passed (exit code 0). */
  require_tests: z.boolean().default(false),
  /** A verdict pending longer than this is reported to the operator. */
  pending_timeout_minutes: z
    .number()
    .int()
    .positive()
    .max(30 * 24 * 60)
    .default(120),
  /**
   * A commit GitHub does not find (404/422) is pending this long after the completion (GitHub's API
   * can lag a push the worker saw on the remote), and fails after it; a re-check is scheduled for
   * the end. Read by the verifier's process from its own configuration, like the back-off.
   */
  missing_commit_grace_seconds: z
    .number()
    .int()
    .positive()
    .max(60 * 60)
    .default(300),
});

/**
 * A YAML boolean, nothing else: `"true"`, `yes`, `on` and `1` are refused with a message that says
 * so, instead of being coerced (an earlier control plane read `enabled:` with a regex that
 * disagreed with its YAML parser).
 */
const yamlBoolean = (fallback: boolean) =>
  z
    .boolean({
      error: (issue) =>
        `must be true or false (a YAML boolean), not ${JSON.stringify(issue.input)}; quoted "true", yes/no, on/off and 1/0 are not booleans`,
    })
    .default(fallback);

/** The automated orchestrator's rules (`mctl orchestrate`); people decide with `mctl inbox act`. */
export const OrchestratorSchema = z.strictObject({
  /** A verified completion goes to `in_review` for a person instead of straight to `done`. */
  review_required: yamlBoolean(false),
  /** A failed completion stays in the queue (true) or is held for a person to decide (false). */
  retry_failed_completions: yamlBoolean(true),
  /** How long a delivered item is the orchestrator's before it is delivered again. */
  delivery_lease_seconds: seconds(300),
  /** Items taken per pass at most. */
  batch_size: z.number().int().min(1).max(1000).default(50),
});

const minutes = (fallback: number) =>
  z
    .number()
    .int()
    .positive()
    .max(30 * 24 * 60)
    .default(fallback);

/** Thresholds of the operator's conditions (`mctl operate`); evidence uses `evidence.pending_timeout_minutes`. */
export const OperatorSchema = z.strictObject({
  /** No dispatch cycle for longer than this (while tickets are queued) is an alert. */
  dispatch_stale_minutes: minutes(30),
  /** A question unanswered for longer than this is an alert. */
  needs_input_unanswered_hours: z
    .number()
    .int()
    .positive()
    .max(30 * 24)
    .default(24),
  /** An inbox item not acted on for longer than this is an alert. */
  inbox_waiting_minutes: minutes(60),
  /** Attempts lost within this window are reported (the alert resolves once the window passes). */
  lost_attempts_window_minutes: minutes(60),
  /** Webhook deliveries that failed within this window and were not handled since are an alert. */
  webhook_failure_window_minutes: minutes(60),
  /**
   * A long-running loop (`mctl dispatch --loop`, `mctl orchestrate --loop`, the app's periodic
   * tasks) whose passes fail transiently (the database, or GitHub, away) for longer than this raises
   * an `outage` alert; it resolves once the loop has worked again for as long.
   */
  outage_alert_seconds: seconds(120),
  /**
   * A `--loop` command whose passes have failed transiently for this long gives up and exits 3
   * (`outage_limit`), so a supervisor can restart or replace it. Unset: it waits for ever. The app
   * never exits for an outage: its `/api/health` answers 503 meanwhile.
   */
  outage_limit_seconds: z
    .number()
    .int()
    .positive()
    .max(7 * 24 * 3600)
    .optional(),
});

/** The GitHub App (`npm start`): the ticket label, the mirror's retries, prompt dispatch. */
export const AppSchema = z.strictObject({
  /** Issues with this label, added by a person with write permission, become tickets; mirrored issues carry it. */
  ticket_label: name.default("mission-control"),
  /**
   * Each installation owner's control repository is `<owner>/<control_repository_name>`: its
   * default branch holds that owner's `.github/mission-control.yml` and its dispatch workflow.
   */
  control_repository_name: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, "must be a repository name (no owner)")
    .default("mission-control"),
  /**
   * The control repository's dispatch workflow (file name): the only workflow whose OIDC token
   * `POST /api/v1/dispatch` accepts, and the one the app triggers when a ticket becomes runnable.
   */
  dispatch_workflow: name.default("mission-control-dispatch.yml"),
  /**
   * The app's public base URL, e.g. `https://mission-control.example.com`: the audience every
   * GitHub Actions OIDC token must name. Unset: the dispatch and attempt APIs answer 503.
   */
  public_url: z
    .url({
      protocol: /^https?$/,
      message: "must be an http(s) URL such as https://mission-control.example.com",
    })
    .optional(),
  /**
   * Without sign-in the board and `/api/v1` are served only on 127.0.0.1 at this port (0: any free
   * port); the public listener (Probot's PORT) then serves the webhook, `/api/health` and the OIDC routes.
   */
  ui_port: z.number().int().min(0).max(65535).default(3001),
  /**
   * Serve the board and `/api/v1` on the public listener, behind GitHub sign-in and API tokens.
   * Refused at start unless sign-in is configured (GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET,
   * MCTL_SESSION_SECRET) and `public_url` is set.
   */
  public_ui: z.boolean().default(false),
  /** Issuer of the OIDC tokens (GitHub Enterprise Server: `https://HOST/_services/token`). */
  oidc_issuer: z
    .url({ protocol: /^https?$/, message: "must be the issuer's URL" })
    .default("https://token.actions.githubusercontent.com"),
  /** At most one `workflow_dispatch` per repository per this many seconds. */
  dispatch_trigger_seconds: seconds(60),
  /**
   * A delivery recorded as received whose handler has not finished within this many seconds (the
   * process died mid-handler) is taken over by its redelivery instead of counting as a duplicate.
   */
  delivery_lease_seconds: seconds(60),
  /**
   * How often the control repositories' dispatch workflows are scheduled (their `cron`): the
   * installation self-check raises an alert for an owner whose workflow has not called
   * `POST /api/v1/dispatch` in twice this.
   */
  dispatch_interval_seconds: seconds(300),
  /**
   * Periodic work the app runs itself, each under its own lease (one replica at a time) and each
   * paused by its maintenance setting: the orchestrator pass, the operator pass, the webhook
   * redelivery sweep (task `redeliver`) and the installation self-check (paused with `operate`).
   */
  periodic: z
    .strictObject({
      orchestrate_seconds: seconds(30),
      operate_seconds: seconds(60),
      redeliver_seconds: seconds(300),
      self_check_seconds: seconds(3600),
    })
    .default({
      orchestrate_seconds: 30,
      operate_seconds: 60,
      redeliver_seconds: 300,
      self_check_seconds: 3600,
    }),
  mirror: z
    .strictObject({
      /** Back-off of a failed issue update: base, doubled per try, capped. */
      retry_base_seconds: seconds(5),
      retry_cap_seconds: seconds(900),
      /** A worker that takes a ticket's changes holds them this long (then another worker may). */
      lease_seconds: seconds(120),
      poll_seconds: seconds(2),
      batch_size: z.number().int().min(1).max(1000).default(20),
    })
    .default({
      retry_base_seconds: 5,
      retry_cap_seconds: 900,
      lease_seconds: 120,
      poll_seconds: 2,
      batch_size: 20,
    }),
});

export const ConfigSchema = z.strictObject({
  dispatch: DispatchSchema.default(DispatchSchema.parse({})),
  worker: WorkerSchema.default(WorkerSchema.parse({})),
  evidence: EvidenceSchema.default(EvidenceSchema.parse({})),
  orchestrator: OrchestratorSchema.default(OrchestratorSchema.parse({})),
  operator: OperatorSchema.default(OperatorSchema.parse({})),
  app: AppSchema.default(AppSchema.parse({})),
  repositories: RepositoriesSchema,
});

export type Config = z.infer<typeof ConfigSchema>;
export type DispatchConfig = Config["dispatch"];
export type WorkerConfig = Config["worker"];
export type LauncherConfig = DispatchConfig["launcher"];
export type EvidenceConfig = Config["evidence"];
export type OrchestratorConfig = Config["orchestrator"];
export type OperatorConfig = Config["operator"];
export type AppConfig = Config["app"];
export type RepositoryConfig = z.infer<typeof RepositorySchema>;

export const DEFAULT_CONFIG: Config = ConfigSchema.parse({});
