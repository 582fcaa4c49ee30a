/**
 * `/mc approve` stands on the evidence: without a passing verdict it is refused with the criteria
 * not met, and `/mc approve override <reason>` (maintain or admin) closes the ticket with an
 * `evidence_overridden` event. Plans and parsing only; the e2e run is commands-override.e2e.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { CommandFacts } from "../../src/app/commands/facts.js";
import { parseCommand } from "../../src/app/commands/parse.js";
import { checkPermission, requiredPermissionOf } from "../../src/app/commands/permission.js";
import { planCommand } from "../../src/app/commands/plan.js";
import type { TicketRow } from "../../src/db/schema.js";
import { gateAcceptance } from "../../src/domain/evidence-override.js";

const ticket = (overrides: Partial<TicketRow> = {}): TicketRow => ({
  id: 1,
  key: "MC-1",
  repository: "acme/widgets",
  title: "Fix it",
  body: "",
  labels: [],
  priority: "normal",
  assignee: null,
  campaign: null,
  blockedBy: [],
  state: "verifying",
  version: 4,
  attemptCount: 1,
  extraAttempts: 0,
  nextEligibleAt: null,
  hold: null,
  currentAttemptId: "a-1",
  issueNumber: 7,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...overrides,
});

const pending = {
  status: "pending",
  criteria: [
    {
      id: "checks",
      title: "Required checks",
      status: "pending",
      reason: "checks_pending",
      message: "ci/test has not run",
    },
    { id: "tests", title: "Worker tests", status: "pass", reason: "tests_passed", message: "" },
  ],
};

const facts = (latestVerdict: CommandFacts["latestVerdict"]): CommandFacts => ({
  login: "mia",
  owner: "acme",
  ticket: ticket(),
  openItems: [],
  attempts: [],
  verifierConfigured: true,
  latestVerdict,
});

describe("/mc approve and the evidence", () => {
  it("parses `override <reason>`, and refuses an override without a reason or other words", () => {
    expect(parseCommand("/mc approve override CI is down, verified by hand")).toEqual({
      kind: "command",
      command: { name: "approve", override: "CI is down, verified by hand" },
    });
    expect(parseCommand("/mc approve")).toEqual({ kind: "command", command: { name: "approve" } });
    expect(parseCommand("/mc approve override")).toMatchObject({
      kind: "usage_error",
      message: "an override needs a reason",
    });
    expect(parseCommand("/mc approve please")).toMatchObject({ kind: "usage_error" });
  });

  it("an override needs maintain: write is refused with the level it needs", () => {
    const override = { name: "approve", override: "x" } as const;
    expect(requiredPermissionOf({ name: "approve" })).toBe("write");
    expect(requiredPermissionOf(override)).toBe("maintain");
    expect(checkPermission("approve", "bob", "write", requiredPermissionOf(override))).toMatchObject({
      status: "refused",
      message: "@bob has write permission on this repository; /mc approve override needs maintain or higher",
    });
    expect(checkPermission("approve", "ada", "admin", "maintain").status).toBe("allowed");
  });

  it("is refused without a passing verdict, naming the criteria not met", () => {
    expect(planCommand({ name: "approve" }, facts(pending))).toEqual({
      kind: "refuse",
      code: "evidence_not_passing",
      text:
        "refused: MC-1's latest evidence verdict is pending, not pass; not met: checks (pending: checks_pending). " +
        "A maintainer may accept it anyway with `/mc approve override <reason>` (recorded as an evidence override)",
    });
    expect(planCommand({ name: "approve" }, facts(null))).toMatchObject({
      code: "evidence_not_passing",
      text: expect.stringContaining("verdict is missing, not pass; not met: no evidence verdict yet"),
    });
  });

  it("with an override: done by an evidence_overridden transition carrying the reason and the unmet criteria", () => {
    const plan = planCommand({ name: "approve", override: "hotfix, CI is down" }, facts(pending));
    const unmet = [
      { criterion: "checks", status: "pending", reason: "checks_pending", message: "ci/test has not run" },
    ];
    expect(plan).toEqual({
      kind: "apply",
      steps: [
        {
          call: "transition",
          input: {
            ticket: "MC-1",
            from: "verifying",
            expectedVersion: 4,
            to: "done",
            reason: "evidence_overridden",
            actor: { kind: "human", id: "mia" },
            detail: { override: "hotfix, CI is down", verdict: "pending", unmet },
          },
        },
      ],
      success: {
        say: "text",
        code: "evidence_overridden",
        text: "MC-1: verifying → done (evidence overridden (verdict pending; not met: checks (pending: checks_pending)): hotfix, CI is down)",
      },
    });
  });

  it("a passing verdict approves as before, override or not", () => {
    const pass = { status: "pass", criteria: [] };
    expect(planCommand({ name: "approve" }, facts(pass))).toMatchObject({
      kind: "apply",
      steps: [{ input: { reason: "accepted" } }],
    });
    expect(gateAcceptance("MC-1", pass, "x")).toEqual({ kind: "passing" });
    expect(planCommand({ name: "reject" }, facts(pending))).toMatchObject({ kind: "apply" });
  });
});
