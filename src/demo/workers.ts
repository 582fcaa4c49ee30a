/** The demo's worker host: the in-process launcher configured from the demo's `worker:` settings. */
import { createWriteStream } from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import { attemptPolicyFrom } from "../config/durations.js";
import type { Config } from "../config/schema.js";
import type { Lifecycle } from "../lifecycle/index.js";
import { runnerSettingsFrom } from "../worker/settings.js";
import { type InProcessLauncher, inProcessLauncher, type RunnerOutput } from "./in-process-launcher.js";
import type { Workspace } from "./workspace.js";

/**
 * Runs each claimed attempt's worker runner in this process (the database is in it) with the demo
 * agent; a completion is verified at once — docs/evidence.md: "after a completion signal" — and
 * again whenever CI reports through the app's webhooks.
 */
export function demoLauncher(input: {
  lifecycle: Lifecycle;
  config: Config;
  workspace: Workspace;
  log: Logger;
  agentPath: string;
  app: { verifier: { verifyTicket(input: { ticket: string }): Promise<unknown> } };
}): InProcessLauncher {
  const { config, workspace, log } = input;
  return inProcessLauncher({
    lifecycle: input.lifecycle,
    repo: workspace.clone,
    agentCommand: [process.execPath, input.agentPath],
    settings: runnerSettingsFrom(config.worker),
    policy: attemptPolicyFrom(config.dispatch),
    baseEnv: agentEnvironment(),
    output: (launchKey) =>
      runnerOutput(path.join(workspace.logDir, `${launchKey.replace(/[^\w.-]/g, "_")}.log`)),
    onReport: async (request, report) => {
      log.info(
        { ticket: request.ticket, launchKey: request.launchKey, result: report.result },
        "worker finished",
      );
      if (report.result === "completed") await input.app.verifier.verifyTicket({ ticket: request.ticket });
    },
    onError: (request, error) => log.error({ err: error, ticket: request.ticket }, "worker runner failed"),
  });
}

/** The environment of agents and builds: this one, with this Node first on PATH (for `node test.mjs`). */
export function agentEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: [path.dirname(process.execPath), process.env.PATH].filter(Boolean).join(":"),
  };
  // The agent reaches Mission Control only through its runner (the runner strips it too).
  delete env.DATABASE_URL;
  return env;
}

function runnerOutput(file: string): RunnerOutput {
  const stream = createWriteStream(file, { flags: "a" });
  return {
    agentStdout: (text) => stream.write(text),
    agentStderr: (text) => stream.write(text),
    info: (line) => stream.write(`[runner] ${line}\n`),
    close: () => new Promise<void>((resolve) => stream.end(() => resolve())),
  };
}
