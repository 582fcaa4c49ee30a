import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { CommandOutcomeCode } from "../../src/app/commands/codes.js";
import {
  COMMAND_NAMES,
  type Command,
  type CommandName,
  HELP,
  parseCommand,
  USAGE,
} from "../../src/app/commands/parse.js";
import { PERMISSION_LEVELS, REQUIRED_PERMISSION } from "../../src/app/commands/permission.js";

/**
 * Every `/mc` command is complete: usage text (which `/mc help` lists), a permission level, and a
 * row in README.md's command table that names that level. `COMMAND_NAMES` in parse.ts is the list;
 * docs/commands.md says what else a new command touches.
 */

const README = readFileSync(path.resolve(import.meta.dirname, "../../README.md"), "utf8");

/** What is missing for each command, as `name: what` lines (empty when nothing is). */
function gaps(
  names: readonly string[],
  registry: {
    usage: Partial<Record<string, string>>;
    permission: Partial<Record<string, string>>;
    readme: string;
  },
): string[] {
  const rows = registry.readme.split("\n").filter((line) => line.startsWith("| `/mc "));
  return names.flatMap((name) => {
    const missing: string[] = [];
    const usage = registry.usage[name];
    if (!usage?.startsWith(`/mc ${name}`)) missing.push(`${name}: no usage text starting with "/mc ${name}"`);
    const level = registry.permission[name];
    if (!level || !(PERMISSION_LEVELS as readonly string[]).includes(level))
      missing.push(`${name}: no permission level`);
    const row = rows.find((line) => new RegExp(`^\\| \`/mc ${name}(?![\\w-])`).test(line));
    if (!row) missing.push(`${name}: no README.md table row "| \`/mc ${name} …\` | <level> | … |"`);
    // Cells split on unescaped pipes (`pause\|resume` is one cell).
    else if (level && row.split(/(?<!\\)\|/)[2]?.trim() !== level)
      missing.push(`${name}: its README.md row does not say it needs ${level}`);
    return missing;
  });
}

describe("the /mc command registry", () => {
  it("gives every command usage text, a permission level and a README line", () => {
    expect(gaps(COMMAND_NAMES, { usage: USAGE, permission: REQUIRED_PERMISSION, readme: README })).toEqual(
      [],
    );
    // `/mc help` lists exactly those usages, in the list's order.
    expect(HELP.split("\n")).toEqual(COMMAND_NAMES.map((name) => USAGE[name]));
  });

  it("the check fails for a command that lacks any of them", () => {
    const readme = "| `/mc status` | read | the state |\n| `/mc claimx` | write | not claim |\n";
    expect(
      gaps(["status", "claim", "retry"], {
        usage: { status: "/mc status", claim: "/mc claim", retry: "/mc rety" },
        permission: { status: "write", claim: "write" },
        readme,
      }),
    ).toEqual([
      "status: its README.md row does not say it needs write",
      'claim: no README.md table row "| `/mc claim …` | <level> | … |"',
      'retry: no usage text starting with "/mc retry"',
      "retry: no permission level",
      'retry: no README.md table row "| `/mc retry …` | <level> | … |"',
    ]);
  });

  it("the parser knows every listed command, and the schema lists no other", () => {
    expectTypeOf<Command["name"]>().toEqualTypeOf<CommandName>();
    for (const name of COMMAND_NAMES) {
      const parsed = parseCommand(`/mc ${name}`);
      // A command with required arguments is a usage error here, never an unknown command.
      if (parsed.kind === "usage_error") expect(parsed.message, name).not.toMatch(/unknown command/);
      else expect(parsed, name).toMatchObject({ kind: "command", command: { name } });
    }
  });

  it("reason codes are a closed union", () => {
    expectTypeOf<string>().not.toExtend<CommandOutcomeCode>();
  });
});
