import type { Octokit } from "@octokit/rest";
import { describe, expect, it } from "vitest";
import type { PermissionLevel } from "../../src/app/commands/permission.js";
import { cachedPermissions } from "../../src/app/commands/permission-cache.js";

describe("cached permission levels", () => {
  const octokit = {} as Octokit;
  function counted(levels: Record<string, PermissionLevel>) {
    const asked: string[] = [];
    return {
      asked,
      lookup: async (_: Octokit, repository: string, login: string) => {
        asked.push(`${repository} ${login}`);
        return levels[login] ?? "none";
      },
    };
  }

  it("asks GitHub once per repository and login within the TTL (any case), again after it", async () => {
    let now = 0;
    const source = counted({ mallory: "none", bob: "write" });
    const permissions = cachedPermissions({ now: () => now, ttlMs: 60_000, lookup: source.lookup });
    for (let i = 0; i < 20; i++)
      expect(await permissions(octokit, "acme/a", i % 2 ? "mallory" : "Mallory")).toBe("none");
    expect(await permissions(octokit, "acme/a", "bob")).toBe("write");
    expect(await permissions(octokit, "acme/b", "bob")).toBe("write");
    expect(source.asked).toEqual(["acme/a Mallory", "acme/a bob", "acme/b bob"]);
    now = 59_999;
    await permissions(octokit, "ACME/A", "mallory");
    expect(source.asked).toHaveLength(3);
    now = 60_000;
    await permissions(octokit, "acme/a", "mallory");
    expect(source.asked).toHaveLength(4);
  });

  it("holds at most `max` entries, dropping the oldest", async () => {
    const source = counted({});
    const permissions = cachedPermissions({ now: () => 0, max: 2, lookup: source.lookup });
    for (const login of ["a", "b", "c", "b", "a"]) await permissions(octokit, "acme/x", login);
    // a was dropped when c came in; b was still held.
    expect(source.asked).toEqual(["acme/x a", "acme/x b", "acme/x c", "acme/x a"]);
  });
});
