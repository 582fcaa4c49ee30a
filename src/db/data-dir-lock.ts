import { open, readFile, rm } from "node:fs/promises";
import { DatabaseUnavailableError } from "./errors.js";

/**
 * PGlite is a single-process database: two processes opening the same data directory would
 * corrupt it. A lock file holding the owner's pid keeps a second process out with a clear message;
 * a lock left by a process that died is taken over.
 *
 * Returns the function that releases the lock.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockPath = `${dataDir}/mctl.lock`;
  for (let tries = 0; tries < 3; tries++) {
    try {
      const handle = await open(lockPath, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number.parseInt(await readFile(lockPath, "utf8").catch(() => ""), 10);
      if (Number.isInteger(owner) && isAlive(owner)) {
        throw new DatabaseUnavailableError(
          `the embedded database in ${dataDir} is in use by process ${owner}. ` +
            "PGlite serves one process at a time: stop that process, or set DATABASE_URL to share a PostgreSQL server.",
        );
      }
      await rm(lockPath, { force: true });
    }
  }
  throw new DatabaseUnavailableError(`could not lock the embedded database in ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
