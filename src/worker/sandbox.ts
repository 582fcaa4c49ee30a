/**
 * The local sandbox (`worker.sandbox: { user }`): the agent and the test command run as another OS
 * user, with an allow-listed environment, in a worktree handed to that user for the run and taken
 * back before the runner reads it. The runner's environment (/proc/<pid>/environ), the embedded
 * data directory (0700) and the main checkout are then out of the agent's reach: a uid drop, which
 * every Linux machine has, rather than bubblewrap, which would be one more package to install.
 */
import { execFile } from "node:child_process";
import { readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { forbiddenAgentVariable } from "../config/schema.js";
import { errorMessage } from "../domain/error-message.js";

const run = promisify(execFile);

/** The user the agent runs as. */
export interface SandboxUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

export class SandboxError extends Error {
  override readonly name = "SandboxError";
}

/** What a sandboxed agent gets when `worker.agent_env` is not set. */
export const DEFAULT_AGENT_ENV: readonly string[] = ["PATH", "HOME", "LANG", "TERM", "TZ"];

/**
 * Looks the sandbox user up, and refuses unless the runner can switch to it (it must be root).
 * Called before the attempt is taken, so a refusal starts nothing.
 */
export async function resolveSandboxUser(name: string, runnerUid: number | undefined): Promise<SandboxUser> {
  if (runnerUid !== 0) {
    throw new SandboxError(
      `worker.sandbox.user is ${name}, but this runner cannot drop privileges to it: it runs as uid ${runnerUid ?? "unknown"}, not root. Run mctl worker run as root, or remove worker.sandbox to run the agent as a trusted process`,
    );
  }
  let line: string;
  try {
    line = (await run("getent", ["passwd", name])).stdout.trim();
  } catch (error) {
    const missing = (error as { code?: unknown }).code === 2;
    throw new SandboxError(
      missing
        ? `worker.sandbox.user ${name} does not exist on this machine; create it (useradd --system --no-create-home ${name}) or change worker.sandbox.user`
        : `cannot look up worker.sandbox.user ${name}: ${errorMessage(error)}`,
      { cause: error },
    );
  }
  const [, , uid, gid, , home] = line.split(":");
  const user = { name, uid: Number(uid), gid: Number(gid), home: home || "/" };
  if (!Number.isInteger(user.uid) || !Number.isInteger(user.gid)) {
    throw new SandboxError(`cannot read the uid and gid of ${name} from getent: ${JSON.stringify(line)}`);
  }
  if (user.uid === 0)
    throw new SandboxError(`worker.sandbox.user ${name} is root (uid 0): that is no sandbox`);
  return user;
}

/**
 * The agent's environment. Sandboxed, or with an explicit allow-list: only the listed variables
 * (credentials never, whatever the list says), HOME being the sandbox user's. Otherwise (a trusted
 * agent) the runner's environment without DATABASE_URL. The attempt's own variables are added last.
 */
export function agentEnvironment(options: {
  base: NodeJS.ProcessEnv;
  allow: readonly string[] | undefined;
  sandbox: SandboxUser | undefined;
  attempt: Record<string, string>;
}): NodeJS.ProcessEnv {
  const { base, sandbox } = options;
  if (!sandbox && !options.allow) {
    const env: NodeJS.ProcessEnv = { ...base, ...options.attempt };
    delete env.DATABASE_URL;
    return env;
  }
  const env: NodeJS.ProcessEnv = {};
  for (const name of options.allow ?? DEFAULT_AGENT_ENV) {
    if (forbiddenAgentVariable(name)) continue;
    const value = name === "HOME" && sandbox ? sandbox.home : base[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...options.attempt };
}

/** The files git links a worktree with: changed by the agent, they could point git elsewhere. */
interface GitLinks {
  readonly dotGit: string;
  readonly adminDir: string;
  readonly contents: Readonly<Record<string, string | null>>;
}

/**
 * What the sandbox user needs to own to work and commit in a worktree: the worktree, its admin
 * directory in the shared git directory (index, HEAD), the object store, and the ticket branch's
 * refs and reflogs. Never the shared config or hooks, which git would run as the runner.
 */
export async function sandboxPaths(
  worktreePath: string,
  commonDir: string,
  branch: string,
): Promise<string[]> {
  const links = await readGitLinks(worktreePath);
  const candidates = [
    worktreePath,
    links.adminDir,
    path.join(commonDir, "objects"),
    path.join(commonDir, "refs", "heads", path.dirname(branch)),
    path.join(commonDir, "logs", "refs", "heads", path.dirname(branch)),
  ];
  const present: string[] = [];
  for (const candidate of candidates) if (await exists(candidate)) present.push(candidate);
  return present;
}

/** A worktree handed to the sandbox user, with what is needed to take it back safely. */
export interface Handover {
  /** Gives the paths back to the runner's user and checks git's links were not changed. */
  takeBack(): Promise<{ ok: true } | { ok: false; message: string }>;
}

/** `chown -R` of `paths` to the sandbox user; `takeBack` returns them to `owner`. */
export async function handOver(
  paths: readonly string[],
  worktreePath: string,
  user: SandboxUser,
  owner: { uid: number; gid: number },
): Promise<Handover> {
  const before = await readGitLinks(worktreePath);
  const shared = await readSharedRefs(before);
  await chownR(paths, user.uid, user.gid);
  return {
    async takeBack() {
      await chownR(paths, owner.uid, owner.gid);
      // Other tickets' branches and the object store's alternates are shared with every worktree:
      // what the agent changed there is put back (the runner would push those branches later).
      const touched = await restoreSharedRefs(shared);
      const after = await readGitLinks(worktreePath).catch(() => undefined);
      const changed = Object.keys(before.contents).filter((f) => after?.contents[f] !== before.contents[f]);
      if (after && after.adminDir === before.adminDir && changed.length === 0) {
        if (!touched.length) return { ok: true };
        return {
          ok: false,
          message: `the agent changed what other worktrees share (${touched.join(", ")}); the runner put it back`,
        };
      }
      // Git would follow the changed links as the runner (a foreign config can run commands): the
      // worktree and its admin directory are removed, so no later run uses them either.
      await rm(worktreePath, { recursive: true, force: true });
      await rm(before.adminDir, { recursive: true, force: true });
      return {
        ok: false,
        message: `the agent changed the worktree's git links (${changed.join(", ") || ".git"}); the runner removed the worktree instead of running git on it`,
      };
    },
  };
}

/** The refs beside the ticket's own (other tickets' branches) and the alternates file, as they were. */
interface SharedRefs {
  readonly dir: string;
  readonly own: string;
  readonly refs: ReadonlyMap<string, string>;
  readonly alternates: { readonly file: string; readonly content: string | null };
}

async function readSharedRefs(links: GitLinks): Promise<SharedRefs> {
  const commonDir = path.resolve(links.adminDir, (links.contents.commondir ?? "../..").trim());
  const head = await readFile(path.join(links.adminDir, "HEAD"), "utf8").catch(() => "");
  const own = /^ref: (refs\/heads\/.+)$/m.exec(head)?.[1]?.trim() ?? "";
  const dir = path.join(commonDir, path.dirname(own || "refs/heads/x"));
  const refs = new Map<string, string>();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const file = path.join(dir, name);
    if (file === path.join(commonDir, own)) continue;
    const content = await readFile(file, "utf8").catch(() => null);
    if (content !== null) refs.set(file, content);
  }
  const alternates = path.join(commonDir, "objects", "info", "alternates");
  return {
    dir,
    own: path.join(commonDir, own),
    refs,
    alternates: { file: alternates, content: await readFile(alternates, "utf8").catch(() => null) },
  };
}

/** Puts back every shared ref and the alternates file the agent changed, added or removed; names them. */
async function restoreSharedRefs(shared: SharedRefs): Promise<string[]> {
  const touched: string[] = [];
  const now = new Set(await readdir(shared.dir).catch(() => [] as string[]));
  for (const name of now) {
    const file = path.join(shared.dir, name);
    if (file === shared.own || shared.refs.has(file)) continue;
    touched.push(path.basename(file));
    await rm(file, { recursive: true, force: true });
  }
  for (const [file, content] of shared.refs) {
    if ((await readFile(file, "utf8").catch(() => null)) === content) continue;
    touched.push(path.basename(file));
    await rm(file, { recursive: true, force: true });
    await writeFile(file, content);
  }
  const { file, content } = shared.alternates;
  if ((await readFile(file, "utf8").catch(() => null)) !== content) {
    touched.push("objects/info/alternates");
    if (content === null) await rm(file, { force: true });
    else await writeFile(file, content);
  }
  return touched;
}

async function chownR(paths: readonly string[], uid: number, gid: number): Promise<void> {
  if (!paths.length) return;
  try {
    await run("chown", ["-R", "-h", `${uid}:${gid}`, "--", ...paths]);
  } catch (error) {
    throw new SandboxError(`cannot change the owner of ${paths.join(", ")}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}

async function readGitLinks(worktreePath: string): Promise<GitLinks> {
  const dotGit = path.join(worktreePath, ".git");
  const gitfile = await readFile(dotGit, "utf8");
  const match = /^gitdir: (.+)$/m.exec(gitfile);
  if (!match?.[1]) throw new SandboxError(`${dotGit} is not a worktree's gitfile`);
  const adminDir = path.resolve(worktreePath, match[1].trim());
  const contents: Record<string, string | null> = { ".git": gitfile };
  // `config.worktree` and `config` must stay absent: git would read them as the runner.
  for (const name of ["commondir", "gitdir", "config.worktree", "config"]) {
    contents[name] = await readFile(path.join(adminDir, name), "utf8").catch(() => null);
  }
  return { dotGit, adminDir, contents };
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
