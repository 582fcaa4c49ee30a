import { randomBytes } from "node:crypto";
import { link, readFile, rename, rm, writeFile } from "node:fs/promises";
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
    for (let tries = 0; tries < 5; tries++) {
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
      await moveAsideStaleLock(lockPath, owner);
    }
    throw new DatabaseUnavailableError(`could not lock the embedded database in ${dataDir}`);
  } finally {
    await rm(mine, { force: true });
  }
}

/**
 * Removes a lock left by a dead process. Renaming is atomic, so of several processes doing this at
 * once only one moves the file; if what it moved is not the stale lock it saw (another process
 * already replaced it), it puts it back.
 */
async function moveAsideStaleLock(lockPath: string, staleOwner: string): Promise<void> {
  const aside = `${lockPath}.stale.${process.pid}.${randomBytes(4).toString("hex")}`;
  try {
    await rename(lockPath, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  if ((await readFile(aside, "utf8").catch(() => "")) !== staleOwner)
    await link(aside, lockPath).catch(() => {});
  await rm(aside, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
