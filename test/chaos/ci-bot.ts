/**
 * The bridge from git to GitHub, and CI. The run's bare remote has a `post-receive` hook that
 * appends every push to a log (as GitHub receives pushes); the CI bot tails it, shows each pushed
 * commit on the stand-in under its real git sha (`gh.world.commit`, which sends the `push`
 * webhook), then, after a seeded build time, adds the `ci` check run of the CI app on the pushed
 * head: `success`, except on the first push of a `[flaky]` ticket, which fails.
 */
import { execFile } from "node:child_process";
import { chmod, type FileHandle, open, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { GitHubStandin } from "../../src/github-standin/index.js";
import type { TicketKind } from "./history.js";
import type { Rng } from "./prng.js";

const run = promisify(execFile);
const ZERO = "0".repeat(40);
export const CI_APP = "ci-bot";
export const CI_CHECK = "ci";

/** Installs the hook that logs every push into `pushLog` ("old new ref" lines). */
export async function installPushHook(bareRemote: string, pushLog: string): Promise<void> {
  const hook = path.join(bareRemote, "hooks", "post-receive");
  await writeFile(hook, `#!/bin/sh\ncat >> '${pushLog}'\n`);
  await chmod(hook, 0o755);
}

export interface CiBotOptions {
  readonly gh: GitHubStandin;
  readonly repository: string;
  readonly bareRemote: string;
  readonly pushLog: string;
  readonly rng: Rng;
  /** Build time range in milliseconds. */
  readonly buildMs: readonly [min: number, max: number];
  readonly kindOf: (ticketKey: string) => TicketKind | null;
  readonly log: (line: string) => void;
}

export class CiBot {
  /** Every sha shown on the stand-in, and the CI conclusions it posted per sha. */
  readonly mirrored = new Set<string>();
  readonly conclusions = new Map<string, string>();
  #log: FileHandle | null = null;
  #offset = 0;
  #partial = "";
  #pushesByBranch = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #builds = new Set<NodeJS.Timeout>();
  #busy: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(private readonly options: CiBotOptions) {}

  start(pollMs = 300): void {
    const tick = () => {
      if (this.#stopped) return;
      this.#busy = this.#poll()
        .catch((error: unknown) => this.options.log(`[ci] poll failed: ${String(error)}`))
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(tick, pollMs);
        });
    };
    tick();
  }

  /** Builds still running (their commits are on GitHub, their check runs not yet). */
  get pendingBuilds(): number {
    return this.#builds.size;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#busy;
    for (const build of this.#builds) clearTimeout(build);
    this.#builds.clear();
    await this.#log?.close();
  }

  /** Reads the pushes logged since the last poll (the hook appends whole lines). */
  async #poll(): Promise<void> {
    this.#log ??= await open(this.options.pushLog, "r");
    const { size } = await this.#log.stat();
    if (size <= this.#offset) return;
    const buffer = Buffer.alloc(size - this.#offset);
    const { bytesRead } = await this.#log.read(buffer, 0, buffer.length, this.#offset);
    this.#offset += bytesRead;
    const text = this.#partial + buffer.subarray(0, bytesRead).toString("utf8");
    const end = text.lastIndexOf("\n") + 1;
    this.#partial = text.slice(end);
    for (const line of text.slice(0, end).split("\n")) {
      const [before, after, ref] = line.trim().split(" ");
      if (!before || !after || !ref?.startsWith("refs/heads/mission-control/") || after === ZERO) continue;
      await this.#push(ref.slice("refs/heads/".length), before, after);
    }
  }

  /** One push: its new commits on the stand-in, oldest first, the branch moved to `after`, then CI. */
  async #push(branch: string, before: string, after: string): Promise<void> {
    const { gh, repository } = this.options;
    const range = before === ZERO ? [after, "^refs/heads/main"] : [after, `^${before}`];
    // One git command per push: a line per new commit, oldest first, "sha parent…<TAB>subject".
    const commits = (await this.#git("log", "--reverse", "--topo-order", "--format=%H %P%x09%s", ...range))
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [ids = "", message = ""] = line.split("\t");
        const [sha = "", ...parents] = ids.trim().split(" ");
        return { sha, parents, message };
      });
    const shas = commits.map((c) => c.sha);
    for (const { sha, parents, message } of commits) {
      if (this.mirrored.has(sha)) continue;
      const known = parents.filter((p) => this.mirrored.has(p));
      gh.world.commit(repository, {
        sha,
        message,
        // The tip moves the branch (and sends the push webhook); earlier commits are its ancestors.
        ...(sha === after ? { branch } : {}),
        ...(known.length ? { parents: known } : {}),
      });
      this.mirrored.add(sha);
    }
    if (!shas.includes(after)) gh.world.branch(repository, branch, after);
    const ticket = branch.split("/").at(-1) ?? "";
    const pushes = (this.#pushesByBranch.get(branch) ?? 0) + 1;
    this.#pushesByBranch.set(branch, pushes);
    const conclusion = this.options.kindOf(ticket) === "flaky" && pushes === 1 ? "failure" : "success";
    const build = setTimeout(
      () => {
        this.#builds.delete(build);
        if (this.#stopped) return;
        gh.world.checkRun(repository, { app: CI_APP, name: CI_CHECK, headSha: after, conclusion });
        this.conclusions.set(after, conclusion);
      },
      this.options.rng.between(this.options.buildMs[0], this.options.buildMs[1]),
    );
    this.#builds.add(build);
  }

  async #git(...args: string[]): Promise<string> {
    const { stdout } = await run("git", args, { cwd: this.options.bareRemote });
    return stdout.trim();
  }
}
