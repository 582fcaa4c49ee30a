import { describe, expect, it } from "vitest";
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

describe("planCommand", () => {
  const plan = (command: Command, t: TicketRow | null = ticket()) => planCommand(command, t, "bob");

  it("answers only a ticket that waits for input", () => {
    expect(plan({ name: "answer", text: "yes" })).toMatchObject({ kind: "refuse", code: "not_waiting" });
    expect(plan({ name: "answer", text: "yes" }, ticket({ state: "needs_input" }))).toEqual({
      kind: "apply",
      action: { op: "answer", text: "yes" },
    });
  });

  it("approves from verifying or in_review with the matching reason, and refuses elsewhere", () => {
    expect(plan({ name: "approve" }, ticket({ state: "verifying" }))).toMatchObject({
      action: { op: "transition", to: "done", reason: "accepted" },
    });
    expect(plan({ name: "approve" }, ticket({ state: "in_review" }))).toMatchObject({
      action: { op: "transition", to: "done", reason: "approved" },
    });
    expect(plan({ name: "approve" })).toMatchObject({ kind: "refuse", code: "not_reviewable" });
    expect(plan({ name: "reject" }, ticket({ state: "in_review" }))).toMatchObject({
      action: { op: "transition", to: "todo", reason: "rejected" },
    });
  });

  it("claims by assigning the commenter; release ends an agent's work", () => {
    expect(plan({ name: "claim" })).toMatchObject({
      action: { op: "assign", assignee: "bob", thenRelease: false },
    });
    expect(plan({ name: "claim" }, ticket({ assignee: "bob" }))).toMatchObject({ code: "already_assigned" });
    expect(plan({ name: "release" }, ticket({ state: "in_progress" }))).toMatchObject({
      action: { op: "assign", assignee: null, thenRelease: true },
    });
    expect(plan({ name: "release" })).toMatchObject({ kind: "refuse", code: "nothing_to_release" });
  });

  it("refuses changes to terminal tickets and to issues that mirror no ticket", () => {
    expect(plan({ name: "cancel" }, ticket({ state: "done" }))).toMatchObject({ code: "terminal_state" });
    expect(plan({ name: "cancel" }, null)).toMatchObject({ code: "not_a_ticket" });
    expect(plan({ name: "help" }, null)).toMatchObject({ kind: "reply", code: "help" });
    expect(plan({ name: "maintenance", action: "pause", task: "dispatch" }, null)).toMatchObject({
      action: { op: "maintenance", enabled: false },
    });
  });

  it("retries only a held ticket", () => {
    expect(plan({ name: "retry" })).toMatchObject({ code: "not_held" });
    expect(plan({ name: "retry" }, ticket({ hold: "inbox:completion_failed" }))).toEqual({
      kind: "apply",
      action: { op: "retry", grant: false, attempts: 1 },
    });
  });

  it("a ticket held after max_attempts is granted attempts by /mc retry: one, or attempts=N", () => {
    const held = ticket({ hold: "max_attempts_reached" });
    expect(plan({ name: "retry" }, held)).toEqual({
      kind: "apply",
      action: { op: "retry", grant: true, attempts: 1 },
    });
    expect(plan({ name: "retry", attempts: 4 }, held)).toEqual({
      kind: "apply",
      action: { op: "retry", grant: true, attempts: 4 },
    });
    expect(plan({ name: "retry", attempts: 2 }, ticket({ hold: "inbox:completion_failed" }))).toEqual({
      kind: "refuse",
      code: "no_attempts_to_grant",
      text: "MC-1 is held (inbox:completion_failed), not for max_attempts: attempts= only applies to a ticket that used up its attempts; use /mc retry",
    });
    expect(plan({ name: "retry", attempts: 2 }, ticket({ state: "in_progress" }))).toMatchObject({
      code: "not_held",
    });
  });

  it("priority must change", () => {
    expect(plan({ name: "priority", priority: "normal" })).toMatchObject({ code: "unchanged" });
    expect(plan({ name: "priority", priority: "high" })).toMatchObject({
      action: { op: "priority", priority: "high" },
    });
  });
});
