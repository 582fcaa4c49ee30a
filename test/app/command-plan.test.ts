import { describe, expect, it } from "vitest";
import type { CommandFacts } from "../../src/app/commands/facts.js";
import type { Command } from "../../src/app/commands/parse.js";
import { checkPermission, permissionLevelOf } from "../../src/app/commands/permission.js";
import { planCommand } from "../../src/app/commands/plan.js";
import type { TicketRow } from "../../src/db/schema.js";

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
  state: "todo",
  version: 1,
  attemptCount: 0,
  extraAttempts: 0,
  nextEligibleAt: null,
  hold: null,
  currentAttemptId: null,
  issueNumber: 7,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...overrides,
});

describe("permission rules", () => {
  it("needs write for changes, maintain for maintenance, read for status", () => {
    expect(checkPermission("answer", "bob", "write").status).toBe("allowed");
    expect(checkPermission("answer", "rita", "read")).toMatchObject({
      status: "refused",
      message: "@rita has read permission on this repository; /mc answer needs write or higher",
    });
    expect(checkPermission("maintenance", "bob", "write").status).toBe("refused");
    expect(checkPermission("maintenance", "mia", "maintain").status).toBe("allowed");
    expect(checkPermission("status", "rita", "read").status).toBe("allowed");
    expect(checkPermission("status", "x", "none").status).toBe("refused");
  });

  it("prefers GitHub's role name (maintain, triage) over the coarse permission", () => {
    expect(permissionLevelOf({ permission: "write", role_name: "maintain" })).toBe("maintain");
    expect(permissionLevelOf({ permission: "read", role_name: "triage" })).toBe("triage");
    expect(permissionLevelOf({ permission: "admin", role_name: "custom-role" })).toBe("admin");
    expect(permissionLevelOf({})).toBe("none");
  });
});

const BOB = { kind: "human", id: "bob" } as const;

const facts = (overrides: Partial<CommandFacts> = {}): CommandFacts => ({
  login: "bob",
  owner: "acme",
  ticket: ticket(),
  openItems: [],
  attempts: [],
  verifierConfigured: true,
  // A passing verdict unless a test says otherwise: approving without one is test/app/command-override.test.ts.
  latestVerdict: { status: "pass", criteria: [] },
  ...overrides,
});

describe("planCommand", () => {
  const plan = (command: Command, t: TicketRow | null = ticket(), more: Partial<CommandFacts> = {}) =>
    planCommand(command, facts({ ticket: t, ...more }));

  it("answers only a ticket that waits for input", () => {
    expect(plan({ name: "answer", text: "yes" })).toMatchObject({ kind: "refuse", code: "not_waiting" });
    expect(plan({ name: "answer", text: "yes" }, ticket({ state: "needs_input" }))).toEqual({
      kind: "apply",
      steps: [{ call: "answerQuestion", ticket: "MC-1", answer: "yes", actor: BOB }],
      success: {
        say: "text",
        code: "answered",
        text: "answer recorded; MC-1 goes back to todo at the next dispatch",
      },
    });
  });

  it("approves from verifying or in_review with the matching reason, and refuses elsewhere", () => {
    expect(plan({ name: "approve" }, ticket({ state: "verifying", version: 4 }))).toEqual({
      kind: "apply",
      steps: [
        {
          call: "transition",
          input: {
            ticket: "MC-1",
            from: "verifying",
            expectedVersion: 4,
            to: "done",
            reason: "accepted",
            actor: BOB,
          },
        },
      ],
      success: { say: "text", code: "accepted", text: "MC-1: verifying → done (accepted)" },
    });
    expect(plan({ name: "approve" }, ticket({ state: "in_review" }))).toMatchObject({
      steps: [{ call: "transition", input: { to: "done", reason: "approved" } }],
    });
    expect(plan({ name: "approve" })).toEqual({
      kind: "refuse",
      code: "not_reviewable",
      text: "refused: MC-1 is todo: only a ticket in verifying or in_review can be approved",
    });
    expect(plan({ name: "reject" }, ticket({ state: "in_review" }))).toMatchObject({
      steps: [{ call: "transition", input: { to: "todo", reason: "rejected" } }],
    });
  });

  it("takes a review decision the inbox waits for on its completion_verified item", () => {
    const failed = { id: 3, kind: "completion_failed" };
    const openItems = [failed, { id: 8, kind: "completion_verified" }];
    expect(plan({ name: "reject" }, ticket({ state: "verifying" }), { openItems })).toEqual({
      kind: "apply",
      steps: [
        {
          call: "inbox.act",
          ticket: "MC-1",
          itemId: 8,
          result: {
            decision: "reject",
            transition: { from: "verifying", to: "todo", reason: "rejected" },
            hold: null,
            actor: BOB,
            note: "/mc by @bob",
          },
        },
      ],
      success: { say: "text", code: "rejected", text: "MC-1: verifying → todo (rejected)" },
    });
    // No open completion_verified item: the transition alone.
    expect(plan({ name: "approve" }, ticket({ state: "in_review" }), { openItems: [failed] })).toMatchObject({
      steps: [{ call: "transition" }],
    });
  });

  it("claims by assigning the commenter; release ends an agent's work", () => {
    const t = ticket({ state: "in_progress", assignee: "rita", version: 6 });
    expect(plan({ name: "claim" })).toMatchObject({
      steps: [{ call: "issues.assign", assignee: "bob", actor: BOB }],
      success: { code: "claimed" },
    });
    expect(plan({ name: "claim" }, ticket({ assignee: "bob" }))).toMatchObject({ code: "already_assigned" });
    // Assigned and working: unassign, then release at the version the unassignment leaves.
    expect(plan({ name: "release" }, t)).toEqual({
      kind: "apply",
      steps: [
        { call: "issues.assign", ticket: t, assignee: null, actor: BOB },
        {
          call: "transition",
          input: {
            ticket: "MC-1",
            from: "in_progress",
            expectedVersion: 7,
            to: "todo",
            reason: "released",
            actor: BOB,
          },
        },
      ],
      success: {
        say: "text",
        code: "released",
        text: "MC-1 is back in todo (was in_progress); its attempt is ended",
      },
    });
    expect(plan({ name: "release" }, ticket({ state: "needs_input", version: 2 }))).toMatchObject({
      steps: [{ call: "transition", input: { expectedVersion: 2, reason: "released" } }],
    });
    expect(plan({ name: "release" }, ticket({ assignee: "rita" }))).toMatchObject({
      steps: [{ call: "issues.assign", assignee: null }],
      success: { code: "unassigned" },
    });
    expect(plan({ name: "release" })).toMatchObject({ kind: "refuse", code: "nothing_to_release" });
  });

  it("refuses changes to terminal tickets and to issues that mirror no ticket", () => {
    expect(plan({ name: "cancel" }, ticket({ state: "done" }))).toMatchObject({ code: "terminal_state" });
    expect(plan({ name: "cancel" }, null)).toEqual({
      kind: "refuse",
      code: "not_a_ticket",
      text: "refused: this issue does not mirror a Mission Control ticket",
    });
    expect(plan({ name: "help" }, null)).toMatchObject({ kind: "reply", code: "help" });
    expect(plan({ name: "status" })).toMatchObject({ kind: "reply", code: "status" });
    // The owner's own dispatcher: a control repository's maintainers act for their owner only.
    expect(plan({ name: "maintenance", action: "pause", task: "dispatch" }, null, { owner: "Acme" })).toEqual(
      {
        kind: "apply",
        steps: [
          {
            call: "tasks.setEnabled",
            task: "dispatch:acme",
            enabled: false,
            actor: BOB,
            reason: "/mc maintenance by @bob",
          },
        ],
        success: { say: "text", code: "paused", text: "task dispatch:acme is paused" },
      },
    );
    // operate and orchestrate serve every owner: not from a comment.
    expect(plan({ name: "maintenance", action: "pause", task: "operate" }, null)).toMatchObject({
      kind: "refuse",
      code: "deployment_wide_task",
    });
  });

  it("verifies /mc done only where a verifier runs", () => {
    const done = { name: "done", sha: "abcdef1234567890", attempt: "a1" } as const;
    expect(plan(done, ticket({ state: "verifying" }))).toEqual({
      kind: "apply",
      steps: [{ call: "verify", ticket: "MC-1", attemptId: "a1" }],
      success: { say: "verdict", attempt: "a1", sha: "abcdef1234567890" },
    });
    expect(plan(done, ticket(), { verifierConfigured: false })).toEqual({
      kind: "reply",
      code: "verifier_unavailable",
      text: "the evidence verifier is not configured",
    });
  });

  it("/mc done attempt=N names the ticket's Nth attempt, resolved from the facts", () => {
    const done = { name: "done", sha: "abcdef1234567890", attempt: 2 } as const;
    const attempts = [
      { id: "a1", number: 1 },
      { id: "a2", number: 2 },
    ];
    expect(plan(done, ticket({ state: "verifying" }), { attempts })).toEqual({
      kind: "apply",
      steps: [{ call: "verify", ticket: "MC-1", attemptId: "a2" }],
      success: { say: "verdict", attempt: "a2", sha: "abcdef1234567890" },
    });
    expect(plan({ ...done, attempt: 3 }, ticket({ state: "verifying" }), { attempts })).toEqual({
      kind: "refuse",
      code: "no_such_attempt",
      text: "refused: MC-1 has no attempt 3 (its attempts: 1, 2)",
    });
    expect(plan(done, ticket({ state: "verifying" }))).toMatchObject({
      code: "no_such_attempt",
      text: "refused: MC-1 has no attempt 2 (its attempts: none yet)",
    });
  });

  it("/mc cancel records its reason in the event's detail, as mctl ticket cancel --reason does", () => {
    expect(plan({ name: "cancel", reason: "duplicate of MC-7" })).toMatchObject({
      kind: "apply",
      steps: [{ call: "transition", input: { to: "cancelled", detail: { note: "duplicate of MC-7" } } }],
      success: { code: "cancelled", text: "MC-1: todo → cancelled (cancelled: duplicate of MC-7)" },
    });
    const bare = plan({ name: "cancel" });
    expect(bare).toMatchObject({ kind: "apply", success: { text: "MC-1: todo → cancelled (cancelled)" } });
    expect(bare.kind === "apply" && bare.steps[0].call === "transition" && bare.steps[0].input.detail).toBe(
      undefined,
    );
  });

  it("retries only a held ticket, on its oldest open item", () => {
    const held = ticket({ hold: "inbox:completion_failed" });
    expect(plan({ name: "retry" })).toMatchObject({ code: "not_held" });
    expect(plan({ name: "retry" }, held, { openItems: [{ id: 5, kind: "completion_failed" }] })).toEqual({
      kind: "apply",
      steps: [
        {
          call: "inbox.act",
          ticket: "MC-1",
          itemId: 5,
          result: { decision: "retry", transition: null, hold: "release", actor: BOB, note: "/mc retry" },
        },
      ],
      success: { say: "text", code: "retried", text: "MC-1 is back in the queue" },
    });
    expect(plan({ name: "retry" }, held)).toEqual({
      kind: "reply",
      code: "nothing_to_retry",
      text: "MC-1 has no open decision to retry",
    });
  });

  it("a ticket held after max_attempts is granted attempts by /mc retry: one, or attempts=N", () => {
    const held = ticket({ hold: "max_attempts_reached" });
    const openItems = [
      { id: 2, kind: "completion_failed" },
      { id: 9, kind: "max_attempts_reached" },
    ];
    const grant = (attempts: number) => ({
      kind: "apply",
      steps: [
        {
          call: "inbox.act",
          ticket: "MC-1",
          itemId: 9,
          result: {
            decision: "grant_attempts",
            transition: null,
            hold: "release",
            attempts,
            actor: BOB,
            note: "/mc retry by @bob",
          },
        },
      ],
      success: { say: "grant", ticket: "MC-1", granted: attempts },
    });
    expect(plan({ name: "retry" }, held, { openItems })).toEqual(grant(1));
    expect(plan({ name: "retry", attempts: 4 }, held, { openItems })).toEqual(grant(4));
    expect(plan({ name: "retry", attempts: 2 }, ticket({ hold: "inbox:completion_failed" }))).toEqual({
      kind: "refuse",
      code: "no_attempts_to_grant",
      text: "refused: MC-1 is held (inbox:completion_failed), not for max_attempts: attempts= only applies to a ticket that used up its attempts; use /mc retry",
    });
    expect(plan({ name: "retry", attempts: 2 }, ticket({ state: "in_progress" }))).toMatchObject({
      code: "not_held",
    });
  });

  it("priority must change", () => {
    expect(plan({ name: "priority", priority: "normal" })).toMatchObject({ code: "unchanged" });
    expect(plan({ name: "priority", priority: "high" })).toMatchObject({
      steps: [{ call: "issues.setPriority", priority: "high" }],
      success: { code: "priority_changed", text: "MC-1 has priority high (was normal)" },
    });
  });
});
