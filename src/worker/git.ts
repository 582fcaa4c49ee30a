import { realpath } from "node:fs/promises";
import path from "node:path";
import { type SimpleGit, simpleGit } from "simple-git";

/**
 * When simple-git considers a command finished: when git's pipes close, so all of its output has
 * been read. Its default also settles 50 ms after the process exits even if the output has not been
 * read yet: in a process whose event loop is busy (the demo runs the runner beside the embedded
 * database) that loses the output, and an empty answer reads as "detached HEAD" or "not pushed".
 * No exit-based fallback: simple-git never clears that timer, so a fallback of N seconds kept every
 * `mctl worker run` alive N seconds after its work was done. (A helper git leaves running that holds
 * its pipes would make the call wait; the attempt's lease bounds that, as it bounds a hung agent.)
 */
export const GIT_COMPLETION = { onClose: true, onExit: false } as const;

/** A simple-git client for `dir` whose `raw` output is trimmed. */
export function gitAt(dir: string): SimpleGit {
  return simpleGit({ baseDir: dir, trimmed: true, completion: GIT_COMPLETION });
}

/** `path` with symbolic links resolved (so two spellings of one directory compare equal). */
export async function realPath(dir: string): Promise<string> {
  return realpath(dir);
}

/** A directory git printed, resolved against the directory git ran in. */
export async function gitPath(base: string, printed: string): Promise<string> {
  return realpath(path.resolve(base, printed));
}

/** The commit the remote's `refs/heads/<branch>` points at, or null when the branch does not exist there. */
export async function remoteBranchSha(
  git: SimpleGit,
  remote: string,
  branch: string,
): Promise<string | null> {
  const out = await git.raw(["ls-remote", "--heads", remote, `refs/heads/${branch}`]);
  for (const line of out.split("\n")) {
    const [sha, ref] = line.trim().split(/\s+/);
    if (sha && ref === `refs/heads/${branch}`) return sha;
  }
  return null;
}
