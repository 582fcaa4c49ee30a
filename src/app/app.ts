import type { IncomingMessage, ServerResponse } from "node:http";
import type { Octokit } from "@octokit/rest";
import type { ApplicationFunction, ApplicationFunctionOptions, Context, Probot } from "probot";
import { backoffFrom } from "../config/durations.js";
import { controlRepository, REPOSITORY_NOT_ALLOWED } from "../config/repositories.js";
import type { Verifier } from "../evidence/index.js";
import { EVIDENCE_EVENTS, evidenceTargets } from "../evidence/index.js";
import type { Lifecycle } from "../lifecycle/index.js";
import type { Store } from "../store/index.js";
import { type AttemptApiDeps, attemptApiHandler } from "./api/attempts.js";
import { publicHealthHandler } from "./api/health.js";
import type { Authenticate } from "./auth/authenticate.js";
import { readSurfaceHandler } from "./auth/read-surfaces.js";
import { acceptComment } from "./commands/handle-comment.js";
import { type ControlPlaneDeps, controlPlane } from "./control/control-plane.js";
import { dispatchEndpoint } from "./control/dispatch-endpoint.js";
import { intake } from "./intake.js";
import { handleIssue } from "./issues.js";
import type { PeriodicTaskStatus } from "./periodic/status.js";
import { installationPushTokens } from "./push-token.js";
import { handleRunEvent, RUN_EVENTS } from "./runs.js";
import { guardWebhookRequests, MAX_WEBHOOK_BYTES } from "./webhook-guard.js";
import { commentFacts, issueFacts, replaceNulCharacters } from "./webhook-payloads.js";

export interface AppDeps {
  readonly lifecycle: Lifecycle;
  /** The app's plumbing: delivery records, command and re-evaluation requests, the mirror backlog. */
  readonly store: Pick<Store, "deliveries" | "commandRequests" | "reevaluations" | "mirror">;
  /** Builds the evidence verifier once the app can authenticate (null: evidence webhooks are only recorded). */
  readonly verifier?: ((octokitFor: (repository: string) => Promise<Octokit>) => Verifier) | null;
  /**
   * The `repositories:` allow-list: whether issues and `/mc` comments of a repository (`owner/name`)
   * are acted on. Absent: as the control plane (`control`), each owner's configuration in its control
   * repository answers (an owner without one is served nothing); without either, every repository.
   */
  readonly repositoryAllowed?: (repository: string) => boolean | Promise<boolean>;
  /** Issues with this label become tickets (the `app.ticket_label` configuration). */
  readonly ticketLabel?: string;
  /** A delivery left `received` this long (its handler never finished) is run again by a redelivery (`app.delivery_lease_seconds`). */
  readonly deliveryLeaseMs?: number;
  /** Larger webhook bodies are refused with 413 before being read (default: GitHub's 25 MB cap). */
  readonly maxWebhookBytes?: number;
  /**
   * The attempt API (src/app/api/attempts.ts) for the agent workflow's runs: the OIDC token verifier,
   * each repository's agent workflow, the attempt lease and back-off. Absent: the routes answer 503.
   * The push credential is minted through the app's installation unless `mintPushToken` is given.
   */
  readonly attemptApi?:
    | (Omit<AttemptApiDeps, "lifecycle" | "mintPushToken" | "log"> &
        Partial<Pick<AttemptApiDeps, "mintPushToken">>)
    | null;
  /**
   * The control plane (src/app/control/): `POST /api/v1/dispatch` and, unless `attemptApi` is given,
   * the attempt API, with each owner's configuration read from its control repository. Absent: both
   * answer 503 (the app was started without `app.public_url`).
   */
  readonly control?: Omit<ControlPlaneDeps, "lifecycle" | "octokitFor" | "log"> | null;
  /**
   * Liveness of runs bound to attempts (`workflow_run` / `workflow_job` webhooks): the lease a live
   * run's attempt gets (default 15 minutes) and how long it outlives its completed run (default 5).
   */
  readonly runLiveness?: { readonly leaseMs: number; readonly graceMs: number };
  /** The periodic tasks' status (src/app/periodic/) that `/api/health` shows. */
  readonly periodic?: () => readonly PeriodicTaskStatus[];
  /**
   * What this server serves of `/board` and `/api/v1` (src/app/auth/). `none` (the default): nothing;
   * only the webhook path, `/api/health` (up or down) and the OIDC POST routes; the board and API
   * run on their own loopback listener (src/app/auth/ui-listener.ts). `open`: served without
   * credentials, for a server bound to 127.0.0.1 only (the demo, tests). `guarded`: served to API
   * tokens and signed-in people, each seeing only the repositories they may read; `routes` are the
   * sign-in pages (`/login`, …).
   */
  readonly ui?: UiExposure;
  /** GitHub's web origin for the board's and API's links back (default https://github.com). */
  readonly githubWebUrl?: string | undefined;
  /** Called once the app is loaded, with what it needs to start the workers (src/app/workers.ts). */
  readonly onLoad?: (runtime: AppRuntime) => void;
}

export type UiExposure =
  | { readonly kind: "none" }
  | { readonly kind: "open" }
  | {
      readonly kind: "guarded";
      readonly authenticate: Authenticate;
      readonly routes?: ((req: IncomingMessage, res: ServerResponse) => Promise<boolean>) | undefined;
      readonly signInPath?: string | undefined;
    };

export interface AppRuntime {
  readonly probot: Probot;
  readonly octokitFor: (repository: string) => Promise<Octokit>;
  /** The evidence verifier (null when none is configured): run by the re-evaluation and command workers. */
  readonly verifier: Verifier | null;
}

/**
 * Mission Control as a Probot app. Every delivery goes through the intake (dedupe by
 * `X-GitHub-Delivery`), then one small handler that validates, records and returns: a `/mc` command
 * is queued for the command worker (which replies), evidence re-evaluation is recorded for the
 * re-evaluation worker, the mirror runs in its own worker (all started by `onLoad`).
 */
export function missionControlApp(deps: AppDeps): ApplicationFunction {
  return (probot: Probot, options?: ApplicationFunctionOptions) => {
    // Size and shape of webhook requests, checked before Probot reads them (webhook-guard.ts).
    guardWebhookRequests(probot, deps.maxWebhookBytes ?? MAX_WEBHOOK_BYTES, (reason, detail) =>
      probot.log.warn({ reason, ...detail }, `webhook refused: ${reason.replace(/_/g, " ")}`),
    );
    const octokitFor = installationOctokits(probot);
    const verifier = deps.verifier ? deps.verifier(octokitFor) : null;
    deps.onLoad?.({ probot, octokitFor, verifier });
    // The control plane's POST routes (OIDC-authenticated) before the read-only API, which refuses POSTs.
    const control = deps.control
      ? controlPlane({
          ...deps.control,
          lifecycle: deps.lifecycle,
          octokitFor,
          log: (level, detail, message) => probot.log[level](detail, message),
        })
      : null;
    options?.addHandler(
      dispatchEndpoint(
        control && {
          verifier: control.tokens,
          originFor: (owner) => control.originFor(owner),
          controlRepositoryOf: (owner) => controlRepository(control.config, owner),
          runCycle: (owner, holder) => control.runCycle(owner, holder),
          log: (level, detail, message) => probot.log[level](detail, message),
        },
      ),
    );
    const attemptApi =
      deps.attemptApi ??
      (control && deps.control
        ? {
            tokens: control.tokens,
            agentWorkflowFor: (repository: string) => control.agentWorkflowFor(repository),
            leaseMs: deps.control.config.dispatch.attempt_lease_seconds * 1000,
            backoff: backoffFrom(deps.control.config.dispatch),
          }
        : null);
    options?.addHandler(
      attemptApiHandler(
        attemptApi
          ? {
              ...attemptApi,
              lifecycle: deps.lifecycle,
              mintPushToken: attemptApi.mintPushToken ?? installationPushTokens(probot),
              log: (message, detail) => probot.log.warn(detail, message),
            }
          : null,
      ),
    );
    // The read-only JSON API (docs/api.md) and board (docs/board.md): on this server only when it
    // is loopback-only (`open`) or behind credentials (`guarded`); `/api/health` says up or down.
    const ui = deps.ui ?? { kind: "none" };
    if (ui.kind !== "open") options?.addHandler(publicHealthHandler(deps.lifecycle));
    if (ui.kind === "guarded" && ui.routes) options?.addHandler(ui.routes);
    if (ui.kind !== "none")
      options?.addHandler(
        readSurfaceHandler({
          lifecycle: deps.lifecycle,
          mirror: deps.store.mirror,
          logError: (err, message) => probot.log.error({ err }, message),
          githubWebUrl: deps.githubWebUrl,
          periodic: deps.periodic,
          ...(ui.kind === "guarded" ? { authenticate: ui.authenticate, signInPath: ui.signInPath } : {}),
        }),
      );

    probot.onAny(async (event) => {
      // Probot's transform hands every listener a Context; the `onAny` type only says EmitterWebhookEvent.
      const context = event as unknown as Context;
      const replaced = replaceNulCharacters(context.payload);
      if (replaced)
        context.log.warn({ delivery: context.id, strings: replaced }, "webhook: U+0000 replaced by U+FFFD");
      const delivery = { id: context.id, name: context.name, payload: context.payload };
      let result: Awaited<ReturnType<typeof intake>>;
      try {
        result = await intake(deps.store.deliveries, delivery, () => route(context), {
          leaseMs: deps.deliveryLeaseMs,
        });
      } catch (error) {
        // The whole error goes to our (redacting) log and, by the intake, to webhook_failures for the
        // operator; GitHub's delivery log, which shows the answer's body, gets only what happened.
        context.log.error(
          { err: error, delivery: context.id, event: context.name },
          "webhook handler failed",
        );
        throw new Error(
          "Mission Control could not handle this delivery; it is recorded for the operator and runs again when redelivered",
        );
      }
      context.log.info({ delivery: context.id, event: context.name, ...result }, "webhook");
    });

    async function route(context: Context): Promise<string> {
      const action = (context.payload as { action?: string }).action;
      const key = action ? `${context.name}.${action}` : context.name;
      // The allow-list, in one place for issues and comments: outside it nothing is created,
      // queued, replied to or reacted to (no GitHub request at all).
      if (context.name === "issues" || context.name === "issue_comment") {
        const refused = await outsideAllowList(context);
        if (refused) return refused;
      }
      if (key === "issue_comment.created") {
        const comment = commentFacts(context.payload);
        if (!comment.ok) return ignoreMalformed(context, comment);
        // Durable: recorded before the delivery counts as handled, run and answered by the command worker.
        return acceptComment(deps.store.commandRequests, comment.facts, context.id);
      }
      if (context.name === "issue_comment") return `ignored:comment_${action ?? "unknown"}`;
      if (context.name === "issues") {
        const issue = issueFacts(context.payload);
        if (!issue.ok) return ignoreMalformed(context, issue);
        return handleIssue(
          {
            lifecycle: deps.lifecycle,
            octokit: context.octokit as unknown as Octokit,
            ticketLabel: deps.ticketLabel ?? "mission-control",
          },
          issue.facts,
        );
      }
      if ((RUN_EVENTS as readonly string[]).includes(context.name)) {
        return handleRunEvent(
          {
            lifecycle: deps.lifecycle,
            leaseMs: deps.runLiveness?.leaseMs ?? 900_000,
            graceMs: deps.runLiveness?.graceMs ?? 300_000,
          },
          context.name,
          context.payload,
        );
      }
      if ((EVIDENCE_EVENTS as readonly string[]).includes(context.name)) {
        if (!verifier) return "ignored:no_verifier";
        const targets = evidenceTargets(context.name, context.payload);
        if (!targets || (!targets.wholeRepository && targets.shas.length === 0)) return "evidence:no_target";
        // Durable: recorded before the delivery counts as handled, run by the re-evaluation worker.
        await deps.store.reevaluations.request({
          deliveryId: context.id,
          event: context.name,
          repository: targets.repository,
          shas: targets.shas,
          wholeRepository: targets.wholeRepository,
        });
        return "evidence:queued";
      }
      return `ignored:${key}`;
    }

    async function outsideAllowList(context: Context): Promise<string | null> {
      const repository = (context.payload as { repository?: { full_name?: unknown } }).repository?.full_name;
      // The app's own allow-list when given; else, as the control plane, each owner's.
      const allowed =
        deps.repositoryAllowed ?? (control ? (r: string) => control.repositoryAllowed(r) : undefined);
      if (!allowed || typeof repository !== "string") return null;
      if (await allowed(repository)) return null;
      context.log.info(
        { delivery: context.id, event: context.name, repository, reason: REPOSITORY_NOT_ALLOWED },
        "webhook ignored: repository not in the allow-list",
      );
      return `ignored:${REPOSITORY_NOT_ALLOWED}`;
    }
  };
}

/** A payload without the shape the handler needs: recorded as ignored with the reason, and logged. */
function ignoreMalformed(context: Context, result: { outcome: string; problem: string }): string {
  context.log.warn(
    { delivery: context.id, event: context.name, problem: result.problem },
    "webhook ignored: malformed payload",
  );
  return result.outcome;
}

/** Installation Octokits by repository, the installation id looked up once per repository. */
function installationOctokits(probot: Probot): (repository: string) => Promise<Octokit> {
  const installations = new Map<string, number>();
  return async (repository) => {
    let id = installations.get(repository);
    if (id === undefined) {
      const [owner = "", repo = ""] = repository.split("/");
      const appOctokit = await probot.auth();
      const { data } = await appOctokit.rest.apps.getRepoInstallation({ owner, repo });
      id = data.id;
      installations.set(repository, id);
    }
    return (await probot.auth(id)) as unknown as Octokit;
  };
}
