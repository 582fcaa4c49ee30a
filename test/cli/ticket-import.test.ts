import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/database.js";
import { testLifecycle } from "../builders/tickets.js";
import { tempDir } from "../helpers/cli.js";
import { type InProcessCli, inProcessCli } from "../helpers/cli-in-process.js";
import { openTestPglite } from "../helpers/databases.js";
import { emptyDatabase } from "../helpers/empty-database.js";

describe("mctl ticket import", () => {
  let handle: DatabaseHandle;
  let mctl: InProcessCli;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    handle = await openTestPglite();
    mctl = inProcessCli(handle, { MCTL_ACTOR: "alice", MCTL_REPOSITORY: "acme/app" });
    dir = await tempDir();
  });
  beforeEach(() => emptyDatabase(handle.db));
  afterAll(async () => {
    await handle.close();
    await dir.remove();
  });
  const file = async (name: string, lines: string[]) => {
    const p = path.join(dir.path, name);
    await writeFile(p, `${lines.join("\n")}\n`);
    return p;
  };

  it("creates one ticket per line, in batches, each with its created event", async () => {
    const lines = Array.from({ length: 25 }, (_, i) =>
      JSON.stringify({ title: `Ticket ${i + 1}`, priority: i === 0 ? "high" : "normal", labels: ["bulk"] }),
    );
    lines.splice(3, 0, "", JSON.stringify({ title: "Elsewhere", repository: "acme/other" }));
    const run = await mctl([
      "ticket",
      "import",
      await file("ok.jsonl", lines),
      "--batch-size",
      "10",
      "--json",
    ]);
    expect(run).toMatchObject({ code: 0 });
    const created = JSON.parse(run.stdout) as { line: number; key: string }[];
    expect(created).toHaveLength(26);
    expect(created[0]).toEqual({ line: 1, key: "MC-1" });
    expect(created[3]).toEqual({ line: 5, key: "MC-4" });
    const lifecycle = testLifecycle(handle.db);
    expect(await lifecycle.findTicket("MC-4")).toMatchObject({
      title: "Elsewhere",
      repository: "acme/other",
    });
    expect(await lifecycle.findTicket("MC-1")).toMatchObject({
      repository: "acme/app",
      priority: "high",
      labels: ["bulk"],
    });
    const history = await lifecycle.ticketHistory(1);
    expect(history.map((e) => [e.reason, e.actorId])).toEqual([["created", "alice"]]);
    const plain = await mctl(["ticket", "import", await file("two.jsonl", [JSON.stringify({ title: "x" })])]);
    expect(plain).toMatchObject({ code: 0, stdout: "imported 1 ticket(s): MC-27\n" });
  });

  it("a bad line imports nothing and names every bad line", async () => {
    const run = await mctl([
      "ticket",
      "import",
      await file("bad.jsonl", [
        JSON.stringify({ title: "fine" }),
        "{not json",
        JSON.stringify({ title: "", priority: "whenever" }),
      ]),
    ]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(
      /^mctl: nothing imported: 2 bad line\(s\): line 2: not JSON; line 3: title: .*priority/,
    );
    expect(await testLifecycle(handle.db).listTickets({})).toEqual([]);
  });

  it("a batch the lifecycle refuses is not written; earlier batches are, and the error says so", async () => {
    const lines = [
      JSON.stringify({ title: "one" }),
      JSON.stringify({ title: "two" }),
      JSON.stringify({ title: "three", blockedBy: ["MC-999"] }),
    ];
    const run = await mctl([
      "ticket",
      "import",
      await file("blocked.jsonl", lines),
      "--batch-size",
      "2",
      "--json",
    ]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      error: {
        code: "invalid_input",
        message: expect.stringContaining("lines 3–3 were not imported"),
        detail: {
          created: [
            { line: 1, key: "MC-1" },
            { line: 2, key: "MC-2" },
          ],
        },
      },
    });
    expect((await testLifecycle(handle.db).listTickets({})).map((t) => t.key)).toEqual(["MC-1", "MC-2"]);
  });
});
