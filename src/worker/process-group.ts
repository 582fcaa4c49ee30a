import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** The end of a child process: its exit code, or the signal that ended it. */
export interface ProcessEnd {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface GroupProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Settles when the process itself has exited (its children may still be running). */
  readonly exited: Promise<ProcessEnd>;
  /** Settles when its output pipes are closed too (or after `ms`, if a stray process holds them). */
  drained(ms: number): Promise<void>;
}

/** Another OS user to start the process as (the runner must be root). */
export interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

export class SpawnError extends Error {
  override readonly name = "SpawnError";
}

/**
 * Starts `argv` without a shell, as the leader of a new process group, so that stopping it also
 * stops everything it started (an agent's sub-processes must not outlive its attempt).
 */
export async function spawnGroup(
  argv: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; runAs?: RunAs | undefined },
): Promise<GroupProcess> {
  const [command, ...args] = argv;
  if (!command) throw new SpawnError("empty command");
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    ...(options.runAs ? { uid: options.runAs.uid, gid: options.runAs.gid } : {}),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<ProcessEnd>((resolve) => {
    child.once("exit", (exitCode, signal) => resolve({ exitCode, signal }));
  });
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", (error) =>
      reject(new SpawnError(`cannot start ${command}: ${error.message}`, { cause: error })),
    );
  });
  if (child.pid === undefined) throw new SpawnError(`cannot start ${command}: no process id`);
  const drained = async (ms: number) => {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  };
  return { child, pid: child.pid, exited, drained };
}

/** True while any process of the group is alive (zombies waiting to be reaped do not count). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return livingMembers(pgid) !== 0;
}

/**
 * Counts the group's processes that are not zombies, from /proc (Linux). A stopped agent's
 * children are re-parented to PID 1, and in a container without an init that reaps, they stay
 * zombies forever: `kill(-pgid, 0)` alone would report the group alive. -1 without /proc.
 */
function livingMembers(pgid: number): number {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return -1;
  }
  let living = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // gone meanwhile
    }
    // "pid (comm) state ppid pgrp …": comm may contain spaces and parentheses, so split after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === pgid && fields[0] !== "Z" && fields[0] !== "X") living++;
  }
  return living;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/**
 * Stops a whole process group: SIGTERM, then SIGKILL if anything is still alive after `graceMs`.
 * Resolves once the group is gone; says whether SIGKILL was needed.
 */
export async function stopGroup(pgid: number, graceMs: number): Promise<{ killed: boolean }> {
  if (!groupAlive(pgid)) return { killed: false };
  signalGroup(pgid, "SIGTERM");
  if (await waitUntilGone(pgid, graceMs)) return { killed: false };
  signalGroup(pgid, "SIGKILL");
  await waitUntilGone(pgid, 5_000);
  return { killed: true };
}

/** Polls until the group has no live process, for at most `ms`. */
export async function waitUntilGone(pgid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (groupAlive(pgid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}
