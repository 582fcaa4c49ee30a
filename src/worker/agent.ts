import { StringDecoder } from "node:string_decoder";
import { redactSecrets } from "../domain/redact.js";
import type { BoundedLog } from "./log-buffer.js";
import { type ProcessEnd, type RunAs, spawnGroup, stopGroup, waitUntilGone } from "./process-group.js";

export interface AgentOutput {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export interface RunningAgent {
  readonly pid: number;
  readonly startedAt: number;
  readonly exited: Promise<ProcessEnd>;
  /**
   * Stops the agent and everything it started: after `politeMs` of waiting for it to exit on its
   * own (0 to skip), SIGTERM, then SIGKILL after `graceMs`. Resolves once all of it is gone.
   */
  stop(options: { politeMs: number; graceMs: number }): Promise<{ killed: boolean }>;
  /** Waits for the last output to arrive (bounded). */
  drained(ms: number): Promise<void>;
}

/**
 * Starts the agent in its own process group. Its output is streamed to the console as it comes
 * and kept, bounded, in `log`; nothing in it is interpreted.
 */
export async function startAgent(options: {
  argv: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  runAs?: RunAs | undefined;
  log: BoundedLog;
  output: AgentOutput;
}): Promise<RunningAgent> {
  const proc = await spawnGroup(options.argv, {
    cwd: options.cwd,
    env: options.env,
    runAs: options.runAs,
  });
  const startedAt = Date.now();
  const stream = (source: NodeJS.ReadableStream | null, write: (text: string) => void) => {
    const decoder = new StringDecoder("utf8");
    // The console is published too (an Actions log): whole lines, masked, so that a chunk boundary
    // never splits a secret past the masker. A line longer than the buffer goes out as it is cut.
    let pending = "";
    const flush = (text: string, final: boolean) => {
      pending += text;
      const cut = final
        ? pending.length
        : Math.max(pending.lastIndexOf("\n") + 1, pending.length > 65_536 ? pending.length : 0);
      if (cut === 0) return;
      write(redactSecrets(pending.slice(0, cut)));
      pending = pending.slice(cut);
    };
    source?.on("data", (chunk: Buffer) => {
      options.log.append(chunk);
      flush(decoder.write(chunk), false);
    });
    source?.on("end", () => flush(decoder.end(), true));
  };
  stream(proc.child.stdout, options.output.stdout);
  stream(proc.child.stderr, options.output.stderr);
  return {
    pid: proc.pid,
    startedAt,
    exited: proc.exited,
    async stop({ politeMs, graceMs }) {
      if (politeMs > 0 && (await waitUntilGone(proc.pid, politeMs))) return { killed: false };
      return stopGroup(proc.pid, graceMs);
    },
    drained: (ms) => proc.drained(ms),
  };
}
