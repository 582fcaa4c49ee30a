import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { COMMAND_NAMES, HELP, parseCommand, USAGE } from "../../src/app/commands/parse.js";

const ATTEMPT = "0b7c9a1e-3f2d-4c5b-8a6e-1d2c3b4a5f60";

describe("/mc command parser", () => {
  it("parses every command of the language", () => {
    const cases: [string, unknown][] = [
      ["/mc status", { name: "status" }],
      ["  \n/mc claim", { name: "claim" }],
      ["/mc release", { name: "release" }],
      [
        "/mc answer Use v2 of the API\nand keep the old one",
        { name: "answer", text: "Use v2 of the API\nand keep the old one" },
      ],
      [`/mc done sha=ABCDEF1 attempt=${ATTEMPT}`, { name: "done", sha: "abcdef1", attempt: ATTEMPT }],
      ["/mc approve", { name: "approve" }],
      ["/mc reject", { name: "reject" }],
      ["/mc reject tests are flaky", { name: "reject", reason: "tests are flaky" }],
      ["/mc cancel", { name: "cancel" }],
      ["/mc priority URGENT", { name: "priority", priority: "urgent" }],
      ["/mc retry", { name: "retry" }],
      ["/mc retry attempts=3", { name: "retry", attempts: 3 }],
      ["/mc retry ATTEMPTS=10", { name: "retry", attempts: 10 }],
      ["/mc maintenance pause dispatch", { name: "maintenance", action: "pause", task: "dispatch" }],
      ["/mc help", { name: "help" }],
      // The natural forms (issue 21): any case, a bare count, a reason in words, an attempt's number.
      ["/MC help", { name: "help" }],
      ["/MC Status", { name: "status" }],
      ["/Mc PRIORITY high", { name: "priority", priority: "high" }],
      ["/mc retry 3", { name: "retry", attempts: 3 }],
      ["/mc cancel because duplicate", { name: "cancel", reason: "because duplicate" }],
      ["/mc cancel duplicate of\nMC-7", { name: "cancel", reason: "duplicate of\nMC-7" }],
      ["/mc done sha=abcdef1 attempt=2", { name: "done", sha: "abcdef1", attempt: 2 }],
      [
        `/mc done sha=abcdef1 attempt=${ATTEMPT.toUpperCase()}`,
        { name: "done", sha: "abcdef1", attempt: ATTEMPT },
      ],
    ];
    for (const [body, command] of cases) {
      const result = parseCommand(body);
      if (command === undefined) expect(result, body).toEqual({ kind: "not_a_command" });
      else expect(result, body).toEqual({ kind: "command", command });
    }
  });

  it("says what is wrong and shows the usage", () => {
    const cases: [string, RegExp, string][] = [
      ["/mc", /missing after \/mc/, HELP],
      ["/mc deploy", /unknown command "deploy"/, HELP],
      // Names every object has are not commands.
      ["/mc constructor", /unknown command "constructor"/, HELP],
      ["/mc __proto__", /unknown command "__proto__"/, HELP],
      ["/mc answer", /needs some text/, USAGE.answer],
      ["/mc done sha=xyz attempt=1", /sha= must be a commit SHA/, USAGE.done],
      [
        "/mc done sha=abcdef1 attempt=0",
        /attempt= must be an attempt number \(1, 2, …\) or an attempt id/,
        USAGE.done,
      ],
      ["/mc done sha=abcdef1 attempt=last", /attempt= must be an attempt number/, USAGE.done],
      ["/mc retry 0", /attempts= must be a whole number from 1 to 10/, USAGE.retry],
      ["/mc retry 11", /attempts= must be a whole number from 1 to 10/, USAGE.retry],
      ["/mc retry 3 4", /"3" is not key=value/, USAGE.retry],
      [`/mc cancel ${"x".repeat(2001)}`, /the reason must be at most 2000 characters/, USAGE.cancel],
      ["/mc done sha=abcdef1", /both sha= and attempt= are required/, USAGE.done],
      [`/mc done sha=abcdef1 attempt=${ATTEMPT} force=1`, /unknown argument\(s\) force/, USAGE.done],
      ["/mc priority soon", /priority must be one of urgent, high, normal, low/, USAGE.priority],
      ["/mc maintenance stop dispatch", /Invalid option/, USAGE.maintenance],
      ["/mc approve now", /takes no arguments/, USAGE.approve],
      ["/mc retry attempts=0", /attempts= must be a whole number from 1 to 10/, USAGE.retry],
      ["/mc retry attempts=11", /attempts= must be a whole number from 1 to 10/, USAGE.retry],
      ["/mc retry attempts=2.5", /attempts= must be a whole number from 1 to 10/, USAGE.retry],
      ["/mc retry attempts=", /attempts= must be a whole number from 1 to 10/, USAGE.retry],
      ["/mc retry now", /"now" is not key=value/, USAGE.retry],
      ["/mc retry times=2", /unknown argument\(s\) times/, USAGE.retry],
    ];
    for (const [body, message, usage] of cases) {
      const result = parseCommand(body);
      expect(result, body).toMatchObject({
        kind: "usage_error",
        message: expect.stringMatching(message),
        usage,
      });
    }
  });

  it("only a comment that starts with /mc is a command", () => {
    for (const body of [
      "please /mc approve",
      "> /mc approve",
      "/mcapprove",
      "/MCapprove",
      "",
      "LGTM",
      null,
      42,
    ]) {
      expect(parseCommand(body)).toEqual({ kind: "not_a_command" });
    }
  });

  it("never throws: any input yields a command, a usage message, or not a command", () => {
    const words = fc.constantFrom(
      "/mc",
      "/mc ",
      ...COMMAND_NAMES,
      "constructor",
      "sha=",
      "attempt=",
      "attempts=",
      "attempts=3",
      "3",
      "/MC",
      "because",
      ATTEMPT,
      "urgent",
      "pause",
      "dispatch",
      "\n",
      " ",
      "=",
    );
    const body = fc.oneof(
      fc.string(),
      fc.array(words).map((parts) => parts.join(" ")),
      fc.anything(),
    );
    fc.assert(
      fc.property(body, (input) => {
        const result = parseCommand(input);
        expect(["command", "usage_error", "not_a_command"]).toContain(result.kind);
        if (result.kind === "usage_error") {
          expect(result.message.length).toBeGreaterThan(0);
          expect(result.usage).toMatch(/\/mc/);
        }
      }),
      { numRuns: 3_000 },
    );
  });
});
