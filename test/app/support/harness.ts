import { generateKeyPairSync } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { DestinationStream } from "pino";
import { createNodeMiddleware, Probot, ProbotOctokit } from "probot";
import { type AppDeps, type AppRuntime, missionControlApp } from "../../../src/app/app.js";
import { type CommandWorkerDeps, commandPass } from "../../../src/app/commands/worker.js";
import { type ReevaluationDeps, reevaluationPass } from "../../../src/app/evidence/reevaluate.js";
import { createAppLogger, type LogLevel } from "../../../src/app/log.js";
import type { Database } from "../../../src/db/database.js";
import { createVerifier, databaseHttpCache } from "../../../src/evidence/index.js";
import type { AppPermissions } from "../../../src/github-standin/index.js";
import { type GitHubStandin, startGitHubStandin } from "../../../src/github-standin/index.js";
import { type Clock, createLifecycle, type Lifecycle, systemClock } from "../../../src/lifecycle/index.js";
import { createStore, runUntilIdle, type Store } from "../../../src/store/index.js";

export const SECRET = "test-webhook-secret";
const keys = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
});

export interface AppHarness {
  readonly gh: GitHubStandin;
  readonly lifecycle: Lifecycle;
  readonly store: Store;
  readonly runtime: AppRuntime;
  readonly webhookUrl: string;
  /** The app's own server (`/api/…`, `/board`). */
  readonly baseUrl: string;
  /** The app's private key (for tests that check it never shows up anywhere). */
  readonly privateKey: string;
  /**
   * Waits until every webhook sent so far was answered, the `/mc` commands they queued were run and
   * answered by the command worker, and the re-evaluation requests recorded ran.
   */
  settle(): Promise<void>;
  /** What the app's command worker runs with (`worker: "test-command"`). */
  commandDeps(overrides?: Partial<CommandWorkerDeps>): CommandWorkerDeps;
  /** What the app's re-evaluation worker runs with (`worker: "test-reevaluation"`). */
  reevaluationDeps(overrides?: Partial<ReevaluationDeps>): ReevaluationDeps;
  stop(): Promise<void>;
}

export interface AppOptions {
  /** Seeds the stand-in's fault injection. */
  readonly faultSeed?: number;
  /** Logs through the production logger (src/app/log.ts) into `destination`; otherwise nothing is logged. */
  readonly log?: { readonly level: LogLevel; readonly destination: DestinationStream };
  /** The app's webhook body limit, when a test needs a small one. */
  readonly maxWebhookBytes?: number;
  /** The app's allow-list (`repositories:`); absent: every repository. */
  readonly repositoryAllowed?: (repository: string) => boolean;
  /** One try per GitHub read in the verifier (no retry waits), for tests of failing reads. */
  readonly verifierSingleTry?: boolean;
  /** The lifecycle's clock (default: the system clock). */
  readonly clock?: Clock;
  /**
   * The attempt API's configuration (src/app/api/attempts.ts), or a function of the running stand-in
   * and the app's URL (its OIDC issuer, the audience); without it the routes answer 503.
   */
  readonly attemptApi?:
    | NonNullable<AppDeps["attemptApi"]>
    | ((running: {
        readonly gh: GitHubStandin;
        readonly baseUrl: string;
      }) => NonNullable<AppDeps["attemptApi"]>);
  /**
   * The control plane (`POST /api/v1/dispatch`, and the attempt API unless `attemptApi` is given),
   * as a function of the running stand-in and the app's URL (its OIDC issuer, the audience).
   */
  readonly control?: (running: {
    readonly gh: GitHubStandin;
    readonly baseUrl: string;
  }) => NonNullable<AppDeps["control"]>;
  /** Leases of attempts bound to runs (workflow_run / workflow_job webhooks). */
  readonly runLiveness?: AppDeps["runLiveness"];
  /**
   * What the app's server serves of `/board` and `/api/v1` (AppDeps.ui). Default `open`: this
   * server is bound to 127.0.0.1, so it stands in for the loopback UI listener as well as the public
   * one; tests of the public listener's safe default and of credentials pass `none` or `guarded`.
   */
  readonly ui?:
    | AppDeps["ui"]
    | ((running: { readonly gh: GitHubStandin; readonly baseUrl: string }) => AppDeps["ui"]);
  /** The app's permissions in the stand-in (default: the stand-in's). */
  readonly appPermissions?: AppPermissions;
}

/**
 * The app on a local port, as in production (Probot's Node middleware, signature checked), with
 * Octokit pointed at the GitHub stand-in, which delivers real signed webhooks to it.
 */
export async function startApp(db: Database, options: AppOptions = {}): Promise<AppHarness> {
  let handler: ((req: IncomingMessage, res: ServerResponse) => unknown) | null = null;
  const server: Server = createServer((req, res) => {
    if (!handler) {
      res.writeHead(503).end();
      return;
    }
    void handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  const webhookUrl = `${baseUrl}/api/github/webhooks`;
  const gh = await startGitHubStandin({
    app: {
      privateKey: keys.privateKey,
      ...(options.appPermissions ? { permissions: options.appPermissions } : {}),
    },
    // GitHub gives up after 10 s; on a loaded machine the app may take longer, and a delivery that
    // times out would decide the test. No test here is about that limit.
    webhook: { url: webhookUrl, secret: SECRET, timeoutMs: 300_000 },
    ...(options.faultSeed === undefined ? {} : { faultSeed: options.faultSeed }),
  });
  const lifecycle = createLifecycle({ db, clock: options.clock ?? systemClock, keyPrefix: "MC" });
  const store = createStore({ db, clock: systemClock });
  const probot = new Probot({
    appId: gh.app.id,
    privateKey: keys.privateKey,
    secret: SECRET,
    ...(options.log ? { log: createAppLogger(options.log) } : { logLevel: "fatal" as const }),
    // Probot sets its own throttle options per instance; GitHub's content-creation pacing (one write a
    // second, a comment every three) is real but would make each test take seconds, so it is off here.
    Octokit: ProbotOctokit.defaults((instance: { throttle?: object }) => ({
      ...instance,
      baseUrl: gh.url,
      throttle: { ...instance.throttle, enabled: false },
      retry: { enabled: false },
    })),
  });
  let runtime: AppRuntime | null = null;
  const middleware = await createNodeMiddleware(
    missionControlApp({
      lifecycle,
      store,
      verifier: (octokitFor) =>
        createVerifier({
          lifecycle,
          octokit: octokitFor,
          cache: databaseHttpCache(store.httpCache),
          backoff: { baseMs: 60_000, capMs: 3_600_000 },
          // This Octokit has no retry plugin (above), so the reader retries itself, unless told not to.
          retry: options.verifierSingleTry
            ? { attempts: 1, baseMs: 1, maxWaitMs: 0 }
            : { attempts: 3, baseMs: 500, maxWaitMs: 10_000 },
        }),
      ...(options.maxWebhookBytes === undefined ? {} : { maxWebhookBytes: options.maxWebhookBytes }),
      ...(options.attemptApi
        ? {
            attemptApi:
              typeof options.attemptApi === "function"
                ? options.attemptApi({ gh, baseUrl })
                : options.attemptApi,
          }
        : {}),
      ...(options.control ? { control: options.control({ gh, baseUrl }) } : {}),
      ...(options.runLiveness ? { runLiveness: options.runLiveness } : {}),
      ...(options.repositoryAllowed ? { repositoryAllowed: options.repositoryAllowed } : {}),
      ui: (typeof options.ui === "function" ? options.ui({ gh, baseUrl }) : options.ui) ?? { kind: "open" },
      onLoad: (r) => (runtime = r),
    }),
    { probot, webhooksPath: "/api/github/webhooks" },
  );
  handler = (req, res) =>
    middleware(req, res, () => {
      res.writeHead(404).end();
    });
  if (!runtime) throw new Error("the app did not load");
  const loaded: AppRuntime = runtime;
  const reevaluationDeps = (overrides: Partial<ReevaluationDeps> = {}): ReevaluationDeps => {
    if (!loaded.verifier) throw new Error("the app has no verifier");
    return {
      reevaluations: store.reevaluations,
      verifier: loaded.verifier,
      worker: "test-reevaluation",
      retry: { baseMs: 1, capMs: 5 },
      leaseMs: 60_000,
      batchLimit: 20,
      // As in src/app/main.ts: the worker's failures go to the app's logger.
      log: (message, detail) => loaded.probot.log.warn(detail ?? {}, message),
      ...overrides,
    };
  };
  const commandDeps = (overrides: Partial<CommandWorkerDeps> = {}): CommandWorkerDeps => ({
    lifecycle,
    requests: store.commandRequests,
    replies: store.commandReplies,
    verifier: loaded.verifier,
    octokitFor: loaded.octokitFor,
    worker: "test-command",
    // A failed command is due again at once (a rate limit's retry-after aside), so `settle()` runs
    // it to its reply without waiting on a clock.
    retry: { baseMs: 0, capMs: 0 },
    leaseMs: 60_000,
    batchLimit: 20,
    log: (message, detail) => loaded.probot.log.warn(detail ?? {}, message),
    ...overrides,
  });
  return {
    gh,
    lifecycle,
    store,
    runtime: loaded,
    webhookUrl,
    baseUrl,
    privateKey: keys.privateKey,
    reevaluationDeps,
    commandDeps,
    async settle() {
      await gh.webhooks.settle();
      // The command worker, as startAppWorkers runs it; its replies and changes send webhooks too.
      const commands = await runUntilIdle(() => commandPass(commandDeps()));
      if (commands.taken > 0) await gh.webhooks.settle();
      if (loaded.verifier) {
        const deps = reevaluationDeps();
        // Its check runs send webhooks too (check_run for the app's own run).
        const reevaluated = await runUntilIdle(() => reevaluationPass(deps));
        if (reevaluated.taken > 0) await gh.webhooks.settle();
      }
    },
    async stop() {
      await gh.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The repository the command tests talk in: `acme/widgets`, where alice is an admin, bob writes
 * and rita only reads.
 */
export function givenWidgets(app: AppHarness): string {
  app.gh.world.repository({
    owner: "acme",
    name: "widgets",
    files: { "README.md": "# widgets\n" },
    collaborators: { alice: "admin", bob: "write", rita: "read" },
  });
  return "acme/widgets";
}
