/**
 * The real processes of a chaos run: long-running roles (dispatchers, orchestrators, the app) that
 * the harness starts, kills with SIGKILL and starts again, and the workers the dispatchers launch
 * (detached, so they are found in /proc by their working directory: the run's git clone).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync, closeSync, openSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import path from "node:path";

export interface RoleSpec {
  /** e.g. `dispatcher-0`; also the log file's name. */
  readonly name: string;
  readonly kind: "dispatcher" | "orchestrator" | "app";
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Niceness (0–19) of the process, inherited by everything it starts. */
  readonly nice?: number;
}

/** Starts each process generation's section of a role's log. */
export const GENERATION_MARK = "--- start ";

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * One role: at most one live process at a time, started again as a new generation. A process that
 * exits on its own (not killed or stopped by the harness) is a crash: recorded, and restarted after
 * a second so the run goes on.
 */
export class Role {
  #child: ChildProcess | null = null;
  #exited: Promise<Exit> | null = null;
  /** Output goes straight to this file (no piping through the harness): one section per generation. */
  readonly logFile: string;
  /** The current child's exit was asked for (kill -9 or stop). */
  #expected = false;
  #stopping = false;
  #restart: NodeJS.Timeout | undefined;
  generation = 0;
  readonly crashes: Exit[] = [];

  constructor(
    readonly spec: RoleSpec,
    logDir: string,
  ) {
    this.logFile = path.join(logDir, `${spec.name}.log`);
  }

  get alive(): boolean {
    return this.#child !== null;
  }

  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  start(): void {
    if (this.#child) return;
    this.generation += 1;
    const generation = this.generation;
    appendFileSync(
      this.logFile,
      `${GENERATION_MARK}${this.spec.name} #${generation} at ${new Date().toISOString()}\n`,
    );
    const out = openSync(this.logFile, "a");
    const child = spawn(process.execPath, [...this.spec.args], {
      cwd: this.spec.cwd,
      env: { ...this.spec.env },
      stdio: ["ignore", out, out],
    });
    closeSync(out);
    if (this.spec.nice && child.pid !== undefined) setPriority(child.pid, this.spec.nice);
    this.#expected = false;
    this.#exited = new Promise<Exit>((resolve) => {
      child.once("exit", (code, signal) => {
        const exit = { code, signal };
        appendFileSync(this.logFile, `\n--- exit ${this.spec.name} #${generation}: ${code ?? signal}\n`);
        if (this.#child === child) this.#child = null;
        if (!this.#expected && !this.#stopping) {
          this.crashes.push(exit);
          this.#restart = setTimeout(() => this.start(), 1_000);
        }
        resolve(exit);
      });
    });
    this.#child = child;
  }

  /** kill -9; resolves once the process is gone. Returns its pid, or null if none was running. */
  async kill9(): Promise<number | null> {
    const child = this.#child;
    const exited = this.#exited;
    if (!child || !exited) return null;
    this.#expected = true;
    child.kill("SIGKILL");
    await exited;
    return child.pid ?? null;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended (null if none was running). */
  async stop(graceMs = 10_000): Promise<Exit | null> {
    this.#stopping = true;
    clearTimeout(this.#restart);
    const child = this.#child;
    const exited = this.#exited;
    if (!child || !exited) return null;
    this.#expected = true;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    const exit = await exited;
    clearTimeout(timer);
    return exit;
  }
}

export interface WorkerProcess {
  readonly pid: number;
  readonly attempt: string | null;
  /** Stopped (SIGSTOP) — a hung worker. */
  readonly stopped: boolean;
}

/** `mctl worker run` processes started in `cwd` (the run's clone), from /proc (Linux). */
export function findWorkers(cwd: string): WorkerProcess[] {
  const found: WorkerProcess[] = [];
  for (const entry of procEntries()) {
    const pid = Number(entry);
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (!args.includes("worker") || !args.includes("run")) continue;
      if (readlinkSync(`/proc/${entry}/cwd`) !== cwd) continue;
    } catch {
      continue; // gone meanwhile, or a zombie
    }
    const attempt = args[args.indexOf("--attempt") + 1] ?? null;
    found.push({ pid, attempt, stopped: procStat(pid)?.state === "T" });
  }
  return found;
}

/**
 * Kills a worker the way a machine dies: SIGKILL to its process group (the runner and its git
 * commands) and to the process group of each child it started (the agent runs in its own).
 */
export function killWorker(pid: number): void {
  const groups = new Set<number>([pid]);
  for (const entry of procEntries()) {
    const stat = procStat(Number(entry));
    if (stat?.ppid === pid) groups.add(stat.pgrp);
  }
  for (const group of groups) {
    try {
      process.kill(-group, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

function procEntries(): string[] {
  try {
    return readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [];
  }
}

function procStat(pid: number): { state: string; ppid: number; pgrp: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0] ?? "", ppid: Number(fields[1]), pgrp: Number(fields[2]) };
  } catch {
    return null;
  }
}
