import { describe, expect, it } from "vitest";
import { evaluateEndStates, type OutcomeFacts } from "../../src/demo/end-states.js";
import { jsonReporter, textReporter } from "../../src/demo/reporter.js";
import type { Role } from "../../src/demo/scenario.js";

function facts(key: string, role: Role, overrides: Partial<OutcomeFacts> = {}): OutcomeFacts {
  return {
    key,
    role,
    state: "done",
    hold: null,
    attempts: 1,
    events: [],
    policySkips: [],
    seenBlocked: false,
    blockersDoneAt: [],
    verdicts: [],
    forPerson: [],
    ...overrides,
  };
}

function captured() {
  let out = "";
  const reporters = {
    text: textReporter(
      (t) => {
        out += t;
      },
      () => {},
    ),
    json: jsonReporter(
      (t) => {
        out += t;
      },
      () => {},
    ),
  };
  return { reporters, read: () => out };
}

describe("what the demo says at its end", () => {
  const reached = evaluateEndStates(
    [facts("MC-2", "completes", { verdicts: [{ attemptId: "a", status: "pass" }] })],
    "alice",
  );
  const missed = evaluateEndStates(
    [
      facts("MC-2", "completes", { verdicts: [{ attemptId: "a", status: "pass" }] }),
      facts("MC-4", "asks_question", { state: "needs_input", attempts: 1 }),
    ],
    "alice",
  );

  it("a timeout says it counted from the first ticket and which ticket was where", () => {
    const { reporters, read } = captured();
    reporters.text.summary(missed, false, "timeout", { timeoutSeconds: 120 });
    const text = read();
    expect(text).toContain(
      "Timed out 120 s after the first ticket was created (--timeout); 1 of 2 demo tickets did not reach their expected end state (NO below):",
    );
    expect(text).toContain(
      "MC-4 (asks_question) was needs_input; 1 attempt; expected asked, alice answered on the issue, done on attempt 2\n",
    );
    expect(text).not.toMatch(/MC-2 \(completes\) was/);
  });

  it("a complete story says so and how to stop, in text and as a JSON line", () => {
    const { reporters, read } = captured();
    reporters.text.summary(reached, true, "reached", { timeoutSeconds: 120 });
    reporters.text.complete({ tickets: 5, board: "http://localhost:3000/board", lingerSeconds: null });
    expect(read()).toContain("All 1 demo tickets reached their expected end state:");
    expect(read()).toContain(
      "All five tickets reached their end; the board stays up at http://localhost:3000/board; press Ctrl-C to stop.",
    );
    const json = captured();
    json.reporters.json.complete({ tickets: 5, board: "http://x/board", lingerSeconds: 30 });
    json.reporters.json.summary(missed, false, "timeout", { timeoutSeconds: 300 });
    const [complete, summary] = json
      .read()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(complete).toEqual({
      type: "complete",
      tickets: 5,
      board: "http://x/board",
      lingerSeconds: 30,
      message:
        "All five tickets reached their end; the board stays up at http://x/board for 30 s (--linger); press Ctrl-C to stop sooner.",
    });
    expect(summary).toMatchObject({ type: "summary", ok: false, reason: "timeout", timeoutSeconds: 300 });
    expect(summary.message).toMatch(/^Timed out 300 s after the first ticket was created/);
  });
});
