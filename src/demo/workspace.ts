/**
 * The demo's temporary folder: the embedded database, the bare repository that plays `origin`,
 * the local clone the workers make their worktrees in, CI checkouts and logs. Removed on exit
 * unless `--keep`.
 */
import { execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface Workspace {
  readonly root: string;
  readonly dataDir: string;
  /** The bare repository the clone pushes to (`origin`). */
  readonly origin: string;
  /** The local clone: workers make the tickets' worktrees in it. */
  readonly clone: string;
  readonly ciDir: string;
  readonly logDir: string;
  /** git's sha of the first commit (the stand-in shows the repository's default branch at it). */
  readonly initialSha: string;
  remove(): Promise<void>;
}

/** Runs git in `cwd` without a shell; the trimmed stdout. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run("git", args, { cwd, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

/** Creates the folder, `origin` and a clone whose first commit holds `files`, pushed to `main`. */
export async function createWorkspace(files: Readonly<Record<string, string>>): Promise<Workspace> {
  const root = await realpath(await mkdtemp(path.join(os.tmpdir(), "mission-control-demo-")));
  const remove = () => rm(root, { recursive: true, force: true, maxRetries: 3 });
  try {
    const dirs = {
      dataDir: path.join(root, "data"),
      origin: path.join(root, "origin.git"),
      clone: path.join(root, "widgets"),
      ciDir: path.join(root, "ci"),
      logDir: path.join(root, "logs"),
    };
    for (const dir of [dirs.clone, dirs.ciDir, dirs.logDir]) await mkdir(dir, { recursive: true });
    await git(root, "init", "--quiet", "--bare", "--initial-branch=main", dirs.origin);
    await git(dirs.clone, "init", "--quiet", "--initial-branch=main");
    // Local settings only: the person's own git configuration stays untouched.
    for (const [key, value] of [
      ["user.name", "Mission Control demo agent"],
      ["user.email", "agent@mission-control.invalid"],
      ["commit.gpgsign", "false"],
      ["core.hooksPath", "/dev/null"],
    ] as const)
      await git(dirs.clone, "config", key, value);
    for (const [file, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dirs.clone, file)), { recursive: true });
      await writeFile(path.join(dirs.clone, file), content);
    }
    await git(dirs.clone, "add", "--all");
    await git(dirs.clone, "commit", "--quiet", "-m", "Initial commit");
    await git(dirs.clone, "remote", "add", "origin", dirs.origin);
    await git(dirs.clone, "push", "--quiet", "origin", "main");
    const initialSha = await git(dirs.clone, "rev-parse", "HEAD");
    return { root, ...dirs, initialSha, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** The files of commit `sha` in `repo` (path → content, exactly as committed): two git processes. */
export async function filesAt(repo: string, sha: string): Promise<Record<string, string>> {
  const listing = await git(repo, "ls-tree", "-r", "-z", sha);
  // "<mode> blob <object>\t<path>" per entry; submodules and other kinds are not the demo's.
  const blobs = listing
    .split("\0")
    .filter(Boolean)
    .flatMap((entry) => {
      const [meta = "", file = ""] = entry.split("\t");
      const [, type, object] = meta.split(" ");
      return type === "blob" && object ? [{ file, object }] : [];
    });
  const contents = await catFiles(
    repo,
    blobs.map((b) => b.object),
  );
  return Object.fromEntries(blobs.map((b, i) => [b.file, contents[i] ?? ""]));
}

/** The contents of blobs, in order, from one `git cat-file --batch`. */
async function catFiles(repo: string, objects: readonly string[]): Promise<string[]> {
  if (!objects.length) return [];
  const child = spawn("git", ["cat-file", "--batch"], { cwd: repo, stdio: ["pipe", "pipe", "pipe"] });
  const chunks: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(`${objects.join("\n")}\n`);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  if (code !== 0) throw new Error(`git cat-file failed (${code}): ${stderr.trim()}`);
  // Each answer: "<object> blob <size>\n<content>\n".
  const out = Buffer.concat(chunks);
  const contents: string[] = [];
  let at = 0;
  for (const object of objects) {
    const eol = out.indexOf(10, at);
    const header = out.subarray(at, eol).toString();
    const size = Number(header.split(" ")[2]);
    if (!header.startsWith(object) || !Number.isInteger(size))
      throw new Error(`git cat-file: unexpected answer ${JSON.stringify(header)}`);
    contents.push(out.subarray(eol + 1, eol + 1 + size).toString("utf8"));
    at = eol + 1 + size + 1;
  }
  return contents;
}
