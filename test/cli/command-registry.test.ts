import { describe, expect, it } from "vitest";
import type { CliContext } from "../../src/cli/context.js";
import { buildProgram, COMMANDS } from "../../src/cli/program.js";

const ctx = {
  io: { stdout: () => {}, stderr: () => {} },
  processEnv: {},
} as unknown as CliContext;

/**
 * `mctl` loads a command's module only when the command line names it; its name and description
 * are in src/cli/program.ts so that `mctl --help` lists every command without loading any.
 */
describe("the lazy command registry", () => {
  it("lists each command under the name and description its own module declares", async () => {
    const loaded = await buildProgram(ctx);
    expect(loaded.commands.map((c) => [c.name(), c.description()])).toEqual(
      COMMANDS.map((c) => [c.name, c.description]),
    );
  });

  it("loads only the command the arguments name; help lists the others", async () => {
    const program = await buildProgram(ctx, ["ticket", "list", "--json"]);
    const ticket = program.commands.find((c) => c.name() === "ticket");
    expect(ticket?.commands.map((c) => c.name())).toContain("list");
    const others = program.commands.filter((c) => c.name() !== "ticket");
    expect(others.every((c) => c.commands.length === 0 && c.options.length === 0)).toBe(true);
    const help = await buildProgram(ctx, ["help", "inbox"]);
    expect(help.commands.find((c) => c.name() === "inbox")?.commands.length).toBeGreaterThan(0);
  });
});
