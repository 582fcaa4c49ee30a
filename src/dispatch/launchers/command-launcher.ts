import { spawn } from "node:child_process";
import { mkdir, open } from "node:fs/promises";
import path from "node:path";
import { type LaunchRequest, type LaunchResult, type Launcher, fillPlaceholders } from "./launcher.js";

export interface CommandLauncherOptions {
  /** argv with placeholders, e.g. [node, mctl, worker, run, --attempt, {attempt}, --, agent…]. */
  readonly argv: readonly string[];
  readonly cwd: string;
  /** Environment of the worker (the dispatcher's database settings, and so on). */
  readonly env: Record<string, string | undefined>;
  /** Where launch markers and worker logs are kept. */
  readonly stateDir: string;
}

/**
 * Spawns the worker as a detached local process, its output in `<stateDir>/logs/<key>.log`.
 * Idempotent by launch key: a marker file created exclusively before spawning means a second
 * launch of the same key starts nothing (the worker's own launching → running compare-and-set
 * guards across machines).
 */
export function commandLauncher(options: CommandLauncherOptions): Launcher {
  return {
    kind: "command",
    async launch(request: LaunchRequest): Promise<LaunchResult> {
      const safeKey = request.launchKey.replace(/[^A-Za-z0-9._-]/g, "_");
      const markers = path.join(options.stateDir, "launches");
      const logs = path.join(options.stateDir, "logs");
      // The runner's own: its logs may quote what an agent must not read (0700, like the data directory).
      await mkdir(options.stateDir, { recursive: true, mode: 0o700 });
      await mkdir(markers, { recursive: true, mode: 0o700 });
      await mkdir(logs, { recursive: true, mode: 0o700 });
      try {
        const marker = await open(path.join(markers, safeKey), "wx");
        await marker.writeFile(`${request.attempt}\n`);
        await marker.close();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") {
          return { ok: true, duplicate: true, detail: `already launched (${request.launchKey})` };
        }
        throw error;
      }
      const [command, ...args] = fillPlaceholders(options.argv, request);
      if (!command)
        return {
          ok: false,
          error: "the launcher command is empty",
          fix: "set worker.agent_command (or the launcher's command) to a non-empty command",
        };
      const log = await open(path.join(logs, `${safeKey}.log`), "a");
      try {
        const child = spawn(command, args, {
          cwd: options.cwd,
          env: {
            ...options.env,
            MCTL_TICKET: request.ticket,
            MCTL_ATTEMPT: request.attempt,
            MCTL_LAUNCH_KEY: request.launchKey,
          },
          detached: true,
          stdio: ["ignore", log.fd, log.fd],
        });
        const started = await new Promise<LaunchResult>((resolve) => {
          child.once("spawn", () => resolve({ ok: true, duplicate: false, detail: `pid ${child.pid}` }));
          child.once("error", (error: NodeJS.ErrnoException) => {
            const missing = error.code === "ENOENT" || error.code === "EACCES";
            resolve({
              ok: false,
              error: `cannot start ${command}: ${error.message}`,
              ...(missing
                ? {
                    fix: `install ${command} where the dispatcher runs (or give its full path) in worker.agent_command or the launcher's command`,
                  }
                : {}),
            });
          });
        });
        child.unref();
        return started;
      } finally {
        await log.close();
      }
    },
  };
}
