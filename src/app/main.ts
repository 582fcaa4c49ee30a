/**
 * `npm start`: Mission Control's GitHub App. Probot reads APP_ID, PRIVATE_KEY and WEBHOOK_SECRET
 * (and runs its setup flow from app.yml when they are missing). Logs are pino JSON lines on stdout,
 * at LOG_LEVEL (default info), with credentials redacted (src/app/log.ts; Probot's LOG_FORMAT no
 * longer applies: pipe through a pino formatter to read them). The database is the embedded one
 * unless DATABASE_URL is set. MCTL_GITHUB_API_URL points the app at another REST API base URL than
 * https://api.github.com (a GitHub stand-in, a proxy; Probot's GHE_HOST always appends `/api/v3`).
 * The composition root: the only place that reads the environment.
 */
import { hostname } from "node:os";
import { ProbotOctokit, run } from "probot";
import { verifierSettingsFrom } from "../config/durations.js";
import { readEnvironment } from "../config/environment.js";
import { loadConfig } from "../config/load.js";
import { repositoryAllowed } from "../config/repositories.js";
import { openDatabase } from "../db/connect.js";
import { migrateDatabase } from "../db/migrate.js";
import { errorMessage } from "../domain/error-message.js";
import { createVerifier, databaseHttpCache } from "../evidence/index.js";
import { probotOctokitDefaults } from "../github/client.js";
import { createLifecycle, systemClock } from "../lifecycle/index.js";
import { snapshotReader } from "../operator/snapshot.js";
import { createStore } from "../store/index.js";
import { missionControlApp, type UiExposure } from "./app.js";
import { publicUi } from "./auth/public-ui.js";
import { readSurfaceHandler } from "./auth/read-surfaces.js";
import { startUiListener } from "./auth/ui-listener.js";
import { planUi, signInSettingsFrom } from "./auth/ui-plan.js";
import { githubWebUrl } from "./board/github-links.js";
import { createAppLogger, logLevelFrom } from "./log.js";
import { createActionsTokenVerifier } from "./oidc/index.js";
import { appSelfCheck, PeriodicStatusBoard, startAppPeriodic } from "./periodic/index.js";
import { startAppWorkers } from "./workers.js";

async function main(): Promise<void> {
  // 1. Environment and configuration.
  const env = readEnvironment(process.env, process.cwd());
  const config = await loadConfig({ cwd: env.cwd, path: env.configPath, overrides: env.configOverrides });
  // Where the board and API are served, decided before anything starts (src/app/auth/ui-plan.ts).
  const signIn = signInSettingsFrom({
    GITHUB_CLIENT_ID: process.env.GITHUB_CLIENT_ID,
    GITHUB_CLIENT_SECRET: process.env.GITHUB_CLIENT_SECRET,
    MCTL_SESSION_SECRET: process.env.MCTL_SESSION_SECRET,
  });
  if (!signIn.ok) throw new Error(signIn.message);
  const uiPlan = planUi(config.app, signIn.settings);
  if (!uiPlan.ok) throw new Error(uiPlan.message);
  // 2. The database, migrated (an advisory lock makes this safe for several replicas).
  const handle = await openDatabase(env.database, { lockWaitMs: env.lockWaitMs });
  await migrateDatabase(handle);
  const lifecycle = createLifecycle({ db: handle.db, clock: systemClock, keyPrefix: env.keyPrefix });
  const store = createStore({ db: handle.db, clock: systemClock });
  const apiUrl = githubApiUrl(process.env.MCTL_GITHUB_API_URL);
  // Our logger instead of Probot's: the same pino, with credentials redacted (src/app/log.ts).
  const log = createAppLogger({ level: logLevelFrom(process.env.LOG_LEVEL) });
  const stops: (() => Promise<void>)[] = [];
  // Periodic work (orchestrator, operator, redelivery, self-check) and its status for /api/health.
  const periodicStatus = new PeriodicStatusBoard();
  const ui: UiExposure =
    uiPlan.plan.kind === "loopback"
      ? { kind: "none" }
      : publicUi({
          signIn: uiPlan.plan.signIn,
          publicUrl: uiPlan.plan.publicUrl,
          apiUrl,
          checkToken: store.apiTokens.check,
          log: (message, detail) => log.warn(detail, message),
        });
  const webUrl = githubWebUrl(apiUrl);
  // With a public board, GitHub's "Details" of the evidence check run leads to the ticket's page.
  const publicBoard = uiPlan.plan.kind === "public" ? uiPlan.plan.publicUrl : null;
  // 3. The app: webhooks in, the mirror and evidence re-evaluation workers beside it.
  const server = await run(
    missionControlApp({
      lifecycle,
      store,
      ticketLabel: config.app.ticket_label,
      // As the control plane (app.public_url set) each owner's control repository says which of its
      // repositories are served; otherwise this file's `repositories:` does.
      ...(config.app.public_url
        ? {}
        : { repositoryAllowed: (repository: string) => repositoryAllowed(config, repository) }),
      deliveryLeaseMs: config.app.delivery_lease_seconds * 1000,
      // The control plane (dispatch and attempt APIs) needs the audience its callers' tokens name.
      control: config.app.public_url
        ? {
            config,
            tokens: createActionsTokenVerifier({
              issuer: config.app.oidc_issuer,
              audience: config.app.public_url.replace(/\/+$/, ""),
            }),
          }
        : null,
      ui,
      githubWebUrl: webUrl,
      runLiveness: {
        leaseMs: config.dispatch.attempt_lease_seconds * 1000,
        graceMs: config.dispatch.run_grace_seconds * 1000,
      },
      periodic: () => periodicStatus.list(),
      verifier: (octokitFor) =>
        createVerifier({
          lifecycle,
          octokit: octokitFor,
          cache: databaseHttpCache(store.httpCache),
          ...verifierSettingsFrom(config),
          ...(publicBoard
            ? { ticketPageUrl: (key: string) => `${publicBoard}/board/tickets/${encodeURIComponent(key)}` }
            : {}),
        }),
      // The mirror and the evidence re-evaluation workers run beside the intake.
      onLoad: (runtime) => {
        const workers = startAppWorkers(runtime, {
          lifecycle,
          store,
          clock: systemClock,
          config,
          worker: `${hostname()}:${process.pid}`,
          log: (message, detail) => runtime.probot.log.warn(detail ?? {}, message),
          promptDispatch: true,
        });
        stops.push(() => workers.stop());
        const periodic = startAppPeriodic(runtime, {
          lifecycle,
          leases: lifecycle,
          snapshots: snapshotReader(handle.db),
          config,
          holder: `app:${hostname()}:${process.pid}`,
          deliveries: store.deliveries,
          status: periodicStatus,
          redeliver: true,
          selfCheck: appSelfCheck(runtime, {
            lifecycle,
            config,
            startedAt: systemClock.now(),
            log: (message, detail) => runtime.probot.log.warn(detail, message),
          }),
          log: (level, message, detail) => runtime.probot.log[level](detail, message),
        });
        stops.push(() => periodic.stop());
      },
    }),
    {
      log,
      // Every Octokit the app builds (its JWT client, each installation's): retries and rate-limit
      // waits under the project's policy, logged (src/github/client.ts).
      Octokit: ProbotOctokit.defaults(
        probotOctokitDefaults({
          ...(apiUrl ? { baseUrl: apiUrl } : {}),
          warn: (message, detail) => log.warn({ ...detail, reason: "rate_limited" }, message),
        }),
      ),
    },
  );
  // 4. Without a public UI, the board and API on their own listener, bound to 127.0.0.1.
  if (uiPlan.plan.kind === "loopback") {
    const listener = await startUiListener(
      uiPlan.plan.port,
      readSurfaceHandler({
        lifecycle,
        mirror: store.mirror,
        logError: (err, message) => log.error({ err }, message),
        githubWebUrl: webUrl,
        periodic: () => periodicStatus.list(),
      }),
      (err) => log.error({ err }, "ui listener failed"),
    );
    log.info(
      { url: listener.url },
      `board and API on ${listener.url}/board (loopback only: sign-in is not configured)`,
    );
    stops.push(() => listener.close());
  }
  // 5. Stop cleanly: the running mirror and periodic passes end, then the database closes.
  const shutdown = async () => {
    await server.stop();
    for (const stop of stops) await stop();
    await handle.close();
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown());
  process.once("SIGINT", () => void shutdown());
}

/** MCTL_GITHUB_API_URL, validated: an http(s) URL without a trailing slash, or undefined when unset. */
function githubApiUrl(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new Error(`MCTL_GITHUB_API_URL must be a URL (got ${JSON.stringify(trimmed)})`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new Error("MCTL_GITHUB_API_URL must be an http:// or https:// URL");
  return trimmed.replace(/\/+$/, "");
}

main().catch((error: unknown) => {
  console.error(`mission-control: ${errorMessage(error)}`);
  process.exit(1);
});
