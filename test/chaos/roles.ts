/**
 * The long-running processes of a run — the app, the dispatchers, the orchestrators — and the
 * environment they (and the workers and agents the dispatchers start) get: nothing inherited from
 * the test runner, only what each needs.
 */
import path from "node:path";
import type { GitHubStandin } from "../../src/github-standin/index.js";
import { Role } from "./processes.js";
import { GIT_ENV, type RunDirs, WEBHOOK_SECRET } from "./setup.js";

const AGENT = path.resolve(import.meta.dirname, "agent.mjs");
const NO_PACING = path.resolve(import.meta.dirname, "no-pacing.mjs");

/** How long a `hang` agent freezes its runner (past the 20 s attempt lease), and a `linger` one lingers. */
const HANG_MS = 25_000;
const LINGER_MS = 8_000;

export interface RunRoles {
  readonly app: Role;
  readonly dispatchers: readonly Role[];
  readonly orchestrators: readonly Role[];
  /** The environment of the processes and of the CLI commands the person runs. */
  readonly env: Readonly<Record<string, string>>;
  readonly mctl: string;
  readonly agentCommand: readonly string[];
  readonly appPort: number;
  /** The app answers its health check (within 5 s). */
  appUp(): Promise<boolean>;
  all(): Role[];
}

export function buildRoles(input: {
  readonly dist: string;
  readonly dirs: RunDirs;
  readonly databaseUrl: string;
  readonly gh: GitHubStandin;
  readonly appPort: number;
  readonly dispatchers: number;
  readonly orchestrators: number;
}): RunRoles {
  const { dirs, gh } = input;
  const mctl = path.join(input.dist, "cli/main.js");
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? dirs.root,
    DATABASE_URL: input.databaseUrl,
    MCTL_CONFIG: dirs.config,
    CHAOS_JOURNAL: dirs.journal,
    CHAOS_MCTL: mctl,
    CHAOS_HANG_MS: String(HANG_MS),
    CHAOS_LINGER_MS: String(LINGER_MS),
    ...GIT_ENV,
  };
  // Dispatchers, and so the workers and agents they start, run at a lower priority: in production
  // agents run on their own machines (GitHub Actions runners), not beside the app on two cores.
  const role = (kind: "dispatcher" | "orchestrator" | "app", name: string, args: string[], roleEnv = env) =>
    new Role(
      { name, kind, args, env: roleEnv, cwd: dirs.clone, ...(kind === "dispatcher" ? { nice: 10 } : {}) },
      dirs.logs,
    );
  const app = role("app", "app", ["--import", NO_PACING, path.join(input.dist, "app/main.js")], {
    ...env,
    APP_ID: String(gh.app.id),
    PRIVATE_KEY: gh.app.privateKey ?? "",
    WEBHOOK_SECRET,
    PORT: String(input.appPort),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    MCTL_GITHUB_API_URL: gh.url,
    // The loopback board/API listener on any free port (the default 3001 may be taken).
    MCTL__APP__UI_PORT: "0",
  });
  const dispatchers = Array.from({ length: input.dispatchers }, (_, i) =>
    role("dispatcher", `dispatcher-${i}`, [
      mctl,
      "dispatch",
      "--loop",
      "--interval",
      "2",
      "--holder",
      `dispatcher-${i}`,
    ]),
  );
  const orchestrators = Array.from({ length: input.orchestrators }, (_, i) =>
    role("orchestrator", `orchestrator-${i}`, [
      mctl,
      "orchestrate",
      "--loop",
      "--interval",
      "2",
      "--json",
      "--holder",
      `orchestrator-${i}`,
    ]),
  );
  return {
    app,
    dispatchers,
    orchestrators,
    env: { ...env, APP_ID: String(gh.app.id), PRIVATE_KEY: gh.app.privateKey ?? "", GITHUB_API_URL: gh.url },
    mctl,
    agentCommand: [process.execPath, AGENT],
    appPort: input.appPort,
    async appUp() {
      if (!app.alive) return false;
      try {
        const health = await fetch(`http://127.0.0.1:${input.appPort}/api/health`, {
          signal: AbortSignal.timeout(5_000),
        });
        return health.ok;
      } catch {
        return false;
      }
    },
    all: () => [app, ...dispatchers, ...orchestrators],
  };
}
