/**
 * Mission Control's Probot app, served by Probot's own `Server` (so everything the app registers
 * with `options.addHandler` — the JSON API, the board — is on the demo's port), with its Octokit
 * pointed at the GitHub stand-in, and the mirror and evidence re-evaluation loops and the
 * orchestrator pass beside it, as in src/app/main.ts.
 */
import type { Logger } from "pino";
import { Probot, ProbotOctokit, Server } from "probot";
import { missionControlApp } from "../app/app.js";
import { appPeriodicTasks, PeriodicStatusBoard, startPeriodicTasks } from "../app/periodic/index.js";
import { startAppWorkers } from "../app/workers.js";
import { verifierSettingsFrom } from "../config/durations.js";
import type { Config } from "../config/schema.js";
import { createVerifier, databaseHttpCache, type Verifier } from "../evidence/index.js";
import { probotOctokitDefaults } from "../github/client.js";
import type { Lifecycle } from "../lifecycle/index.js";
import type { Clock, Store } from "../store/index.js";

export const WEBHOOK_PATH = "/api/github/webhooks";

export interface DemoAppOptions {
  readonly lifecycle: Lifecycle;
  readonly store: Store;
  readonly clock: Clock;
  readonly config: Config;
  readonly host: string;
  readonly port: number;
  readonly appId: number;
  readonly privateKey: string;
  readonly webhookSecret: string;
  readonly githubUrl: string;
  readonly log: Logger;
  /** How often the mirror and the re-evaluation worker look for work (the demo's short interval). */
  readonly pollMs: number;
  /** How often the app's orchestrator pass runs (the demo's short interval instead of `app.periodic`). */
  readonly orchestrateMs: number;
}

export interface DemoApp {
  readonly verifier: Verifier;
  /** Stops the HTTP server, then the loops (each waits for its running pass). */
  stop(): Promise<void>;
}

export async function startDemoApp(options: DemoAppOptions): Promise<DemoApp> {
  const { lifecycle, store, config } = options;
  const warn = (message: string, detail?: Record<string, unknown>) => options.log.warn(detail ?? {}, message);
  const stops: (() => Promise<void>)[] = [];
  let verifier: Verifier | null = null;

  const server = new Server({
    host: options.host,
    port: options.port,
    webhookPath: WEBHOOK_PATH,
    log: options.log,
    Probot: Probot.defaults({
      appId: options.appId,
      privateKey: options.privateKey,
      secret: options.webhookSecret,
      log: options.log,
      // GitHub's pacing of content writes (a write a second, a comment every three seconds) is
      // real, but the stand-in is local and the demo should take seconds, not minutes; retries and
      // rate-limit waits stay as in production.
      Octokit: ProbotOctokit.defaults(
        probotOctokitDefaults({
          baseUrl: options.githubUrl,
          pacing: false,
          warn: (message, detail) => options.log.warn(detail, message),
        }),
      ),
    }),
  });
  await server.load(
    missionControlApp({
      lifecycle,
      store,
      ticketLabel: config.app.ticket_label,
      deliveryLeaseMs: config.app.delivery_lease_seconds * 1000,
      // The demo's server listens on localhost only: the board and API need no sign-in there.
      ui: { kind: "open" },
      verifier: (octokitFor) =>
        createVerifier({
          lifecycle,
          octokit: octokitFor,
          cache: databaseHttpCache(store.httpCache),
          ...verifierSettingsFrom(config),
          selfAppId: options.appId,
        }),
      onLoad: (runtime) => {
        verifier = runtime.verifier;
        // No prompt dispatch: the demo's own dispatcher loop runs every second.
        const workers = startAppWorkers(runtime, {
          lifecycle,
          store,
          clock: options.clock,
          config,
          worker: "demo",
          log: warn,
          promptDispatch: false,
          pollMs: options.pollMs,
        });
        stops.push(() => workers.stop());
        // The orchestrator as the app runs it (src/app/periodic/): leased, paused by its setting.
        // The operator, the redelivery sweep and the self-check stay off: the demo has no
        // installation to check and nothing to redeliver, and their alerts would only be noise.
        const orchestrate = appPeriodicTasks({
          lifecycle,
          snapshots: { read: () => Promise.reject(new Error("the demo runs no operator pass")) },
          config,
          holder: "demo-orchestrator",
          appOctokit: null,
          deliveries: store.deliveries,
          log: (message, detail) => options.log.debug(detail, message),
        })
          .filter((task) => task.name === "orchestrate")
          .map((task) => ({ ...task, intervalMs: options.orchestrateMs }));
        const periodic = startPeriodicTasks(orchestrate, {
          leases: lifecycle,
          holder: "demo-orchestrator",
          clock: options.clock,
          status: new PeriodicStatusBoard(),
          log: (level, message, detail) => options.log[level](detail, message),
        });
        stops.push(() => periodic.stop());
      },
    }),
  );
  const stopLoops = async () => {
    for (const stop of stops) await stop();
  };
  const loaded = verifier as Verifier | null;
  if (!loaded) {
    await stopLoops();
    throw new Error("the app loaded without an evidence verifier");
  }
  try {
    await server.start();
  } catch (error) {
    await stopLoops();
    throw error;
  }
  return {
    verifier: loaded,
    async stop() {
      await server.stop();
      await stopLoops();
    },
  };
}
