import { randomBytes } from "node:crypto";
import { link, readFile, rm, stat, writeFile } from "node:fs/promises";
import { DatabaseUnavailableError } from "./errors.js";

/**
 * PGlite is a single-process database: two processes opening the same data directory would
 * corrupt it. A lock file holding the owner's pid keeps a second process out with a clear message;
 * a lock left by a process that died is taken over.
 *
 * Returns the function that releases the lock.
 */
export async function lockDataDir(dataDir: string, waitMs = 0): Promise<() => Promise<void>> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await tryLock(dataDir);
    } catch (error) {
      // Short-lived commands (a worker's heartbeat, a signal) queue behind each other for a while.
      if (!(error instanceof DataDirBusy) || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
    }
  }
}

class DataDirBusy extends DatabaseUnavailableError {}

async function tryLock(dataDir: string): Promise<() => Promise<void>> {
  const lockPath = `${dataDir}/mctl.lock`;
  const mine = `${lockPath}.${process.pid}.${randomBytes(4).toString("hex")}`;
  await writeFile(mine, String(process.pid));
  try {
    for (let tries = 0; tries < 20; tries++) {
      try {
        // link() creates the lock with its content in one atomic step: no reader ever sees it empty.
        await link(mine, lockPath);
        return () => rm(lockPath, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const owner = await readFile(lockPath, "utf8").catch(() => "");
      const pid = Number.parseInt(owner, 10);
      if (Number.isInteger(pid) && isAlive(pid)) {
        throw new DataDirBusy(
          `the embedded database in ${dataDir} is in use by process ${pid}. ` +
            "PGlite serves one process at a time: stop that process, or set DATABASE_URL to share a PostgreSQL server.",
        );
      }
      await removeStaleLock(lockPath, owner);
    }
    throw new DatabaseUnavailableError(`could not lock the embedded database in ${dataDir}`);
  } finally {
    await rm(mine, { force: true });
  }
}

/**
 * Removes a lock left by a dead process. Several processes may find the same stale lock at once, so
 * the removal is done under a takeover guard (a second file created exclusively): its holder checks
 * that the lock still names the dead owner and only then removes it. Without the guard, a
 * process that read the stale owner before another one took the lock over could move that new,
 * live lock aside, and a third one then got the lock too (two holders; seen as a flaky test).
 * A guard left by a process that died in these few milliseconds is taken over once it is old.
 */
async function removeStaleLock(lockPath: string, staleOwner: string): Promise<void> {
  const guard = `${lockPath}.takeover`;
  try {
    await writeFile(guard, String(process.pid), { flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const age = await stat(guard).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > ABANDONED_GUARD_MS) await rm(guard, { force: true });
    else await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
    return; // the caller tries again: the lock is then free, or held by whoever took it over
  }
  try {
    if ((await readFile(lockPath, "utf8").catch(() => null)) !== staleOwner) return;
    await rm(lockPath, { force: true });
  } finally {
    await rm(guard, { force: true });
  }
}

/** A takeover takes milliseconds; a guard this old was left by a process that died holding it. */
const ABANDONED_GUARD_MS = 10_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
