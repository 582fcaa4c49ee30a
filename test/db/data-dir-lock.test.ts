import { spawnSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lockDataDir } from "../../src/db/data-dir-lock.js";
import { tempDir } from "../helpers/cli.js";

/** The pid of a process that has certainly exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(child.stdout.toString());
}

describe("embedded database lock", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(() => dir.remove());

  it("keeps a second holder out, names the owner, and lets a waiter in once released", async () => {
    const release = await lockDataDir(dir.path);
    expect(await readFile(`${dir.path}/mctl.lock`, "utf8")).toBe(String(process.pid));
    await expect(lockDataDir(dir.path)).rejects.toThrow(`in use by process ${process.pid}`);
    const waiter = lockDataDir(dir.path, 5_000);
    setTimeout(() => void release(), 100);
    const again = await waiter;
    await again();
  });

  it("takes over a lock left by a dead process, and exactly one of many racers wins it", async () => {
    await writeFile(`${dir.path}/mctl.lock`, String(deadPid()));
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => lockDataDir(dir.path)));
    const winners = results.filter((r) => r.status === "fulfilled");
    expect(winners).toHaveLength(1);
    for (const loser of results.filter((r) => r.status === "rejected")) {
      expect(String((loser as PromiseRejectedResult).reason)).toContain("in use by process");
    }
    expect(await readFile(`${dir.path}/mctl.lock`, "utf8")).toBe(String(process.pid));
  });
});
