import { describe, expect, it } from "vitest";
import type { AttemptRow, TicketQuestionRow, TicketRow } from "../../src/db/schema.js";
import { answersIn, decideAction, parsePlan } from "../../src/demo/agent-plan.js";
import { DEMO_TICKETS } from "../../src/demo/scenario.js";
import { renderBrief } from "../../src/worker/brief.js";

const at = new Date("2026-03-01T12:00:00Z");
const ATTEMPT_1 = "11111111-1111-4111-8111-111111111111";

/** The brief the runner writes (src/worker/brief.ts), for a demo ticket and its questions. */
function briefFor(role: string, questions: Partial<TicketQuestionRow>[] = []): string {
  const demo = DEMO_TICKETS.find((t) => t.role === role);
  if (!demo) throw new Error(`no demo ticket ${role}`);
  const ticket = {
    id: 4,
    key: "MC-4",
    repository: "demo/widgets",
    title: demo.ticket.title,
    body: demo.ticket.body ?? "",
    labels: demo.ticket.labels ?? [],
    priority: demo.ticket.priority ?? "normal",
    state: "in_progress",
  } as TicketRow;
  const attempt = (number: number) =>
    ({ id: ATTEMPT_1, ticketId: 4, number, status: "running", outcome: null }) as AttemptRow;
  return renderBrief({
    branch: "mission-control/MC-4",
    remote: "origin",
    context: {
      ticket,
      attempt: attempt(questions.length + 1),
      questions: questions.map(
        (q, i) =>
          ({
            id: i + 1,
            ticketId: 4,
            attemptId: ATTEMPT_1,
            question: "Which colour should the widget be?",
            askedAt: at,
            answer: null,
            answeredBy: null,
            answeredAt: null,
            ...q,
          }) as TicketQuestionRow,
      ),
      earlierAttempts: [],
    },
  });
}

describe("the sample agent's plan, read from the runner's real brief", () => {
  it("asks first when the plan says so and the brief holds no answer", () => {
    const brief = briefFor("asks_question");
    const plan = parsePlan(brief);
    expect(plan).toEqual({
      ok: true,
      steps: [
        { kind: "ask", question: "Which colour should the widget be?" },
        { kind: "write", path: "colour.txt", content: "{answer}\n" },
      ],
    });
    if (!plan.ok) return;
    expect(decideAction(plan.steps, answersIn(brief))).toEqual({
      kind: "ask",
      question: "Which colour should the widget be?",
    });
  });

  it("with the person's answer in the brief, writes it instead of asking again (the latest answer wins)", () => {
    const brief = briefFor("asks_question", [
      { answer: "Red", answeredBy: "bob", answeredAt: at },
      { id: 2, answer: "Blue, like the sky.\nMatte.", answeredBy: "alice", answeredAt: at },
    ]);
    expect(answersIn(brief)).toEqual(["Red", "Blue, like the sky.\nMatte."]);
    const plan = parsePlan(brief);
    if (!plan.ok) throw new Error(plan.message);
    expect(decideAction(plan.steps, answersIn(brief))).toEqual({
      kind: "change",
      files: [{ mode: "write", path: "colour.txt", content: "Blue, like the sky.\nMatte.\n" }],
    });
  });

  it("an unanswered question in the brief is not an answer", () => {
    const brief = briefFor("asks_question", [{}]);
    expect(answersIn(brief)).toEqual([]);
  });

  it("reads write and append steps with JSON contents, quotes and newlines included", () => {
    const plan = parsePlan(briefFor("ci_fails"));
    expect(plan).toEqual({
      ok: true,
      steps: [{ kind: "write", path: "build.json", content: '{ "parallel": yes }\n' }],
    });
    expect(parsePlan(briefFor("blocked"))).toEqual({
      ok: true,
      steps: [{ kind: "append", path: "README.md", content: "\nSee the [catalogue](catalogue.md).\n" }],
    });
  });

  it("refuses paths outside the worktree and malformed steps, naming the line", () => {
    expect(parsePlan('intro\n- write `../etc/passwd`: "x"')).toEqual({
      ok: false,
      message: "brief line 2: ../etc/passwd: must be a relative path inside the repository (no .., not .git)",
    });
    expect(parsePlan('- write `.git/config`: "x"').ok).toBe(false);
    expect(parsePlan('- write `/abs`: "x"').ok).toBe(false);
    expect(parsePlan("- write `a.txt`: not json")).toEqual({
      ok: false,
      message: "brief line 1: malformed plan step",
    });
    expect(parsePlan("- write `a.txt`: 42")).toEqual({
      ok: false,
      message: "brief line 1: malformed plan step",
    });
    expect(parsePlan('- write `a.txt`: "unterminated')).toEqual({
      ok: false,
      message: "brief line 1: malformed plan step",
    });
  });

  it("a brief without a plan changes nothing (the agent still hands in a commit)", () => {
    expect(decideAction([], [])).toEqual({ kind: "change", files: [] });
  });
});
