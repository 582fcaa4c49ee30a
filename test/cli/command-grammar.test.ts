import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCommand } from "../../src/app/commands/parse.js";
import type { DatabaseHandle } from "../../src/db/database.js";
import { type InProcessCli, inProcessCli } from "../helpers/cli-in-process.js";
import { openTestPglite } from "../helpers/databases.js";

/**
 * One grammar for `/mc` comments and `mctl` (issue 21): a priority, a reason and a count of
 * attempts are read by the same schemas (src/domain/command-words.ts), so both accept the same
 * words and refuse them with the same sentence; only the name of the field differs (`--priority`
 * on the command line, `priority` in a comment).
 */
describe("the words mctl and /mc share", () => {
  let handle: DatabaseHandle;
  let mctl: InProcessCli;
  beforeAll(async () => {
    handle = await openTestPglite();
    mctl = inProcessCli(handle, { MCTL_ACTOR: "alice", MCTL_REPOSITORY: "acme/app" });
  });
  afterAll(() => handle.close());

  const usageMessage = (body: string) => {
    const parsed = parseCommand(body);
    if (parsed.kind !== "usage_error") throw new Error(`${body} parsed as ${parsed.kind}`);
    return parsed.message;
  };

  it("a priority in any case, refused in the same words", async () => {
    const created = await mctl(["ticket", "create", "--title", "Loud", "--priority", "HIGH"]);
    expect(created).toMatchObject({ code: 0, stdout: "created MC-1 (high) Loud\n" });
    expect(parseCommand("/mc priority HIGH")).toEqual({
      kind: "command",
      command: { name: "priority", priority: "high" },
    });
    const listed = await mctl(["ticket", "list", "--priority", "High", "--json"]);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ key: "MC-1", priority: "high" }]);

    const bad = await mctl(["ticket", "create", "--title", "x", "--priority", "soon"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("mctl: --priority must be one of urgent, high, normal, low\n");
    expect(usageMessage("/mc priority soon")).toBe("priority must be one of urgent, high, normal, low");
  });

  it("a cancel reason is optional in both, recorded in the event's detail when given", async () => {
    await mctl(["ticket", "create", "--title", "Without a reason"]);
    await mctl(["ticket", "create", "--title", "With a reason"]);
    const plain = await mctl(["ticket", "cancel", "MC-2"]);
    expect(plain).toMatchObject({ code: 0, stdout: "cancelled MC-2 (was todo)\n" });
    const plainHistory = JSON.parse((await mctl(["ticket", "history", "MC-2", "--json"])).stdout);
    expect(plainHistory.at(-1)).toMatchObject({ toState: "cancelled", reason: "cancelled" });
    expect(plainHistory.at(-1).detail?.note).toBeUndefined();
    expect(parseCommand("/mc cancel")).toEqual({ kind: "command", command: { name: "cancel" } });

    const long = "x".repeat(2001);
    const tooLong = await mctl(["ticket", "cancel", "MC-3", "--reason", long]);
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toBe("mctl: --reason must be at most 2000 characters\n");
    expect(usageMessage(`/mc cancel ${long}`)).toBe("the reason must be at most 2000 characters");

    const reasoned = await mctl(["ticket", "cancel", "MC-3", "--reason", "because duplicate"]);
    expect(reasoned.code).toBe(0);
    const history = JSON.parse((await mctl(["ticket", "history", "MC-3", "--json"])).stdout);
    expect(history.at(-1)).toMatchObject({ toState: "cancelled", detail: { note: "because duplicate" } });
    expect(parseCommand("/mc cancel because duplicate")).toEqual({
      kind: "command",
      command: { name: "cancel", reason: "because duplicate" },
    });
  });

  it("a count of attempts: the same sentence behind --attempts and attempts=", () => {
    // mctl inbox act --attempts 11 says "--attempts: must be a whole number from 1 to 10"
    // (test/inbox/cli-grant.test.ts); the comment says the same after its own key.
    expect(usageMessage("/mc retry 11")).toBe("attempts= must be a whole number from 1 to 10");
    expect(usageMessage("/mc retry attempts=11")).toBe("attempts= must be a whole number from 1 to 10");
  });
});
