import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/database.js";
import { hashApiToken } from "../../src/store/api-tokens.js";
import { createStore } from "../../src/store/index.js";
import { type InProcessCli, inProcessCli } from "../helpers/cli-in-process.js";
import { openTestPglite } from "../helpers/databases.js";

describe("mctl api-token on the embedded database", () => {
  let handle: DatabaseHandle;
  let mctl: InProcessCli;
  beforeAll(async () => {
    handle = await openTestPglite();
    mctl = inProcessCli(handle);
  });
  afterAll(() => handle.close());

  it("creates a token shown once (only its hash is stored), lists it without the token, revokes it", async () => {
    const created = await mctl([
      "api-token",
      "create",
      "--name",
      "ci",
      "--repo",
      "acme/a",
      "--repo",
      "acme/b",
      "--expires-in",
      "30d",
      "--json",
    ]);
    expect(created).toMatchObject({ code: 0, stderr: "" });
    const body = JSON.parse(created.stdout);
    expect(body).toMatchObject({ name: "ci", repositories: ["acme/a", "acme/b"], revokedAt: null });
    expect(body.token).toMatch(/^mct_[A-Za-z0-9_-]{43}$/);
    const days = (Date.parse(body.expiresAt) - Date.parse(body.createdAt)) / 86_400_000;
    expect(days).toBe(30);

    const store = createStore({ db: handle.db, clock: { now: () => new Date() } });
    expect(await store.apiTokens.check(body.token)).toMatchObject({ ok: true, info: { name: "ci" } });
    const rows = (await handle.db.execute("select token_hash from api_tokens")) as unknown as {
      rows: { token_hash: string }[];
    };
    expect(rows.rows.map((r) => r.token_hash)).toEqual([hashApiToken(body.token)]);

    const list = await mctl(["api-token", "list"]);
    expect(list.stdout).toMatch(/ci\s+acme\/a, acme\/b\s+active/);
    expect(list.stdout).not.toContain(body.token);
    expect(JSON.stringify(JSON.parse((await mctl(["api-token", "list", "--json"])).stdout))).not.toContain(
      body.token,
    );

    const again = await mctl(["api-token", "create", "--name", "ci"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("name_taken");

    expect(await mctl(["api-token", "revoke", "ci"])).toMatchObject({
      code: 0,
      stdout: "revoked API token ci\n",
    });
    expect(await store.apiTokens.check(body.token)).toEqual({ ok: false, code: "revoked" });
    expect((await mctl(["api-token", "list"])).stdout).toMatch(/ci\s+acme\/a, acme\/b\s+revoked/);
    expect(await mctl(["api-token", "revoke", "nobody"])).toMatchObject({ code: 1 });
  });

  it("prints the token once in text, and refuses bad names, repositories and durations in words", async () => {
    const created = await mctl(["api-token", "create", "--name", "all"]);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^mct_\S+\ncreated API token all for every repository, never expires\./);
    for (const [args, message] of [
      [["--name", "a b"], "letters, digits"],
      [["--name", "x", "--repo", "not-a-repo"], "owner/name"],
      [["--name", "x", "--expires-in", "30 days"], "12h, 30d or 4w"],
      [["--name", "x", "--expires-in", "1000w"], "at most 2 years"],
    ] as const) {
      const refused = await mctl(["api-token", "create", ...args]);
      expect(refused.code, args.join(" ")).toBe(2);
      expect(refused.stderr).toContain(message);
    }
  });
});
