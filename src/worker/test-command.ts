import type { TestRun } from "./evidence.js";
import { OUTPUT_SUMMARY_MAX_CHARS } from "./evidence.js";
import { BoundedLog, lastLines } from "./log-buffer.js";
import { type RunAs, SpawnError, spawnGroup, stopGroup } from "./process-group.js";

export interface TestCommandOptions {
  readonly command: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** The sandbox user, when the agent has one: the tests run the agent's code too. */
  readonly runAs?: RunAs | undefined;
  readonly timeoutMs: number;
  readonly graceMs: number;
  /** Stops the command (the attempt's lease was lost): the result is then `failed`. */
  readonly signal: AbortSignal;
  readonly onOutput: (chunk: Buffer) => void;
}

/**
 * Runs the configured test command in the worktree. Passed means exit code 0 and nothing else;
 * the summary is the tail of its output, for people reading the evidence.
 */
export async function runTestCommand(options: TestCommandOptions): Promise<TestRun> {
  const started = Date.now();
  const output = new BoundedLog(64 * 1024);
  const finish = (status: "passed" | "failed" | "timed_out", exitCode: number | null): TestRun => ({
    status,
    command: [...options.command],
    exitCode,
    summary: lastLines(output.snapshot().text, 20, OUTPUT_SUMMARY_MAX_CHARS),
    durationMs: Date.now() - started,
  });
  let proc: Awaited<ReturnType<typeof spawnGroup>>;
  try {
    proc = await spawnGroup(options.command, { cwd: options.cwd, env: options.env, runAs: options.runAs });
  } catch (error) {
    if (!(error instanceof SpawnError)) throw error;
    output.append(error.message);
    return finish("failed", null);
  }
  const collect = (chunk: Buffer) => {
    output.append(chunk);
    options.onOutput(chunk);
  };
  proc.child.stdout?.on("data", collect);
  proc.child.stderr?.on("data", collect);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void stopGroup(proc.pid, options.graceMs);
  }, options.timeoutMs);
  const abort = () => void stopGroup(proc.pid, options.graceMs);
  options.signal.addEventListener("abort", abort, { once: true });
  try {
    const end = await proc.exited;
    // Whatever the command left running in the background goes with it.
    await stopGroup(proc.pid, options.graceMs);
    await proc.drained(2_000);
    if (timedOut) return finish("timed_out", end.exitCode);
    return finish(end.exitCode === 0 && !options.signal.aborted ? "passed" : "failed", end.exitCode);
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener("abort", abort);
  }
}
