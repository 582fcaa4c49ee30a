import { describe, expect, it } from "vitest";
import type { AttemptRow, TicketQuestionRow, TicketRow } from "../../src/db/schema.js";
import { renderBrief } from "../../src/worker/brief.js";
import { BoundedLog, lastLines } from "../../src/worker/log-buffer.js";
import { expandPlaceholders } from "../../src/worker/placeholders.js";

const at = new Date("2026-03-01T12:00:00Z");

function ticket(overrides: Partial<TicketRow> = {}): TicketRow {
  return {
    id: 7,
    key: "MC-7",
    repository: "acme/widgets",
    title: "Paint the widget",
    body: "The widget must be painted.\n\n- evenly",
    labels: ["ui", "paint"],
    priority: "high",
    assignee: null,
    campaign: null,
    blockedBy: [],
    state: "in_progress",
    version: 5,
    attemptCount: 3,
    nextEligibleAt: null,
    currentAttemptId: "33333333-3333-4333-8333-333333333333",
    issueNumber: null,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  } as TicketRow;
}

function attempt(number: number, overrides: Partial<AttemptRow> = {}): AttemptRow {
  return {
    id: `${number}${number}${number}${number}${number}${number}${number}${number}-3333-4333-8333-333333333333`,
    ticketId: 7,
    number,
    worker: "agent-1",
    status: "running",
    launchKey: `MC-7/${number}`,
    leaseExpiresAt: at,
    heartbeatAt: at,
    outcome: null,
    endedAt: null,
    runRepository: null,
    runId: null,
    runAttempt: null,
    baseSha: null,
    runCompletedAt: null,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

function question(overrides: Partial<TicketQuestionRow>): TicketQuestionRow {
  return {
    id: 1,
    ticketId: 7,
    attemptId: attempt(1).id,
    question: "Which colour?",
    askedAt: at,
    answer: null,
    answeredBy: null,
    answeredAt: null,
    ...overrides,
  };
}

describe("the agent's brief (MCTL_TICKET_FILE)", () => {
  it("has the ticket, every earlier question with its answer, and why earlier attempts ended", () => {
    const text = renderBrief({
      branch: "mission-control/MC-7",
      remote: "origin",
      context: {
        ticket: ticket(),
        attempt: attempt(3),
        questions: [
          question({ question: "Which colour?\nRed or blue?", answer: "Blue.", answeredBy: "octocat" }),
          question({ id: 2, question: "Gloss or matte?" }),
        ],
        earlierAttempts: [
          attempt(1, {
            status: "needs_input",
            outcome: { reason: "needs_input", question: "Which colour?" },
          }),
          attempt(2, {
            status: "failed",
            outcome: { reason: "agent_crashed", message: "the agent exited with code 7", exitCode: 7 },
          }),
        ],
      },
    });
    expect(text).toContain("# MC-7: Paint the widget");
    expect(text).toContain("- Labels: `ui`, `paint`");
    expect(text).toContain("The widget must be painted.\n\n- evenly");
    expect(text).toContain("> Which colour?\n> Red or blue?\n\n**Answer** by octocat:\n\n> Blue.");
    expect(text).toContain("> Gloss or matte?\n\n_Not answered yet._");
    expect(text).toContain("- Attempt 1: needs_input, needs_input (question: Which colour?)");
    expect(text).toContain(
      "- Attempt 2: failed, agent_crashed (message: the agent exited with code 7; exitCode: 7)",
    );
    expect(text).toContain("`origin/mission-control/MC-7` (you need not push");
  });

  it("a first attempt without description says so and has no history sections", () => {
    const text = renderBrief({
      branch: "mission-control/MC-7",
      remote: "upstream",
      context: {
        ticket: ticket({ body: "", labels: [] }),
        attempt: attempt(1),
        questions: [],
        earlierAttempts: [],
      },
    });
    expect(text).toContain("_No description._");
    expect(text).toContain("- Labels: none");
    expect(text).not.toContain("## Questions asked earlier");
    expect(text).not.toContain("## Earlier attempts");
    expect(text).toContain("(on `upstream`)");
  });
});

describe("placeholders", () => {
  it("fills {ticket}, {attempt} and {ticket_file} in every argument and leaves other braces alone", () => {
    expect(
      expandPlaceholders(
        ["agent", "--prompt-file={ticket_file}", "{ticket}:{attempt}", '{"json": {ticket}}', "{other}"],
        {
          ticket: "MC-7",
          attempt: "a-1",
          ticket_file: "/tmp/brief.md",
        },
      ),
    ).toEqual(["agent", "--prompt-file=/tmp/brief.md", "MC-7:a-1", '{"json": MC-7}', "{other}"]);
  });
});

describe("the bounded log", () => {
  it("keeps everything while it fits", () => {
    const log = new BoundedLog(1024);
    log.append("hello ");
    log.append(Buffer.from("world"));
    expect(log.snapshot()).toEqual({ text: "hello world", totalBytes: 11, truncated: false });
  });

  it("keeps the head and the most recent tail within the limit, and says how much was dropped", () => {
    const log = new BoundedLog(100);
    for (let i = 0; i < 100; i++) log.append(`line ${String(i).padStart(3, "0")}\n`);
    const snapshot = log.snapshot();
    expect(snapshot.totalBytes).toBe(900);
    expect(snapshot.truncated).toBe(true);
    expect(snapshot.text.startsWith("line 000\nline 001\n")).toBe(true);
    expect(snapshot.text.endsWith("line 098\nline 099\n")).toBe(true);
    expect(snapshot.text).toContain("[… 800 bytes of output omitted …]");
    expect(snapshot.text).not.toContain("line 050");
  });

  it("summarises a command's output as its last lines, bounded in length", () => {
    expect(lastLines("a\nb\nc\nd\n\n", 2, 100)).toBe("c\nd");
    expect(lastLines("x".repeat(50), 5, 10)).toBe(`…${"x".repeat(9)}`);
  });
});
