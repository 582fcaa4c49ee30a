/**
 * The end state each demo ticket must reach, as pure checks over what the database says about it.
 * `--once` exits 0 when every check holds, and prints the table either way.
 */
import type { Role } from "./scenario.js";

/** What the demo read about one ticket (through the lifecycle). */
export interface OutcomeFacts {
  readonly key: string;
  readonly role: Role;
  readonly state: string;
  readonly hold: string | null;
  readonly attempts: number;
  /** Reasons of the ticket's events, oldest first, with the event id and actor. */
  readonly events: readonly { readonly id: number; readonly reason: string; readonly actorId: string }[];
  /** Rules of `skipped_policy` decisions the dispatcher recorded for it. */
  readonly policySkips: readonly string[];
  /** True once a dispatch cycle recorded it as `blocked`. */
  readonly seenBlocked: boolean;
  /** For each ticket it waits for: the id of the event that made that ticket `done` (null: not done). */
  readonly blockersDoneAt: readonly (number | null)[];
  /** Stored verdicts, oldest first: status `pass | fail | pending`, or `ci_failed` when a required check failed. */
  readonly verdicts: readonly { readonly attemptId: string; readonly status: string }[];
  /** Kinds of the inbox items waiting for a person. */
  readonly forPerson: readonly string[];
}

export interface ExpectedEnd {
  readonly role: Role;
  readonly description: string;
  readonly holds: (facts: OutcomeFacts) => boolean;
}

const reasons = (f: OutcomeFacts, reason: string) => f.events.filter((e) => e.reason === reason);

/** One expectation per role (the person's login: who must have answered the question). */
export function expectedEnds(person: string): Readonly<Record<Role, ExpectedEnd>> {
  return {
    assigned_to_person: {
      role: "assigned_to_person",
      description: "todo, never claimed (skipped: assigned_to_human)",
      holds: (f) => f.state === "todo" && f.attempts === 0 && f.policySkips.includes("assigned_to_human"),
    },
    completes: {
      role: "completes",
      description: "done after 1 attempt, evidence verified",
      holds: (f) => f.state === "done" && f.attempts === 1 && f.verdicts.some((v) => v.status === "pass"),
    },
    blocked: {
      role: "blocked",
      description: "blocked until its blocker was done, then done",
      holds: (f) => {
        const firstClaim = reasons(f, "claimed")[0]?.id;
        return (
          f.state === "done" &&
          f.seenBlocked &&
          firstClaim !== undefined &&
          f.blockersDoneAt.every((done) => done !== null && done < firstClaim)
        );
      },
    },
    asks_question: {
      role: "asks_question",
      description: `asked, ${person} answered on the issue, done on attempt 2`,
      holds: (f) =>
        f.state === "done" &&
        f.attempts === 2 &&
        reasons(f, "needs_input").length === 1 &&
        reasons(f, "answered").some((e) => e.actorId === person),
    },
    ci_fails: {
      role: "ci_fails",
      description: "CI failed twice, held (max_attempts_reached) for a person",
      holds: (f) =>
        f.state === "todo" &&
        f.hold === "max_attempts_reached" &&
        f.attempts === 2 &&
        // Two attempts, each failed by CI (a verdict may be re-recorded once the ticket moved on).
        new Set(f.verdicts.filter((v) => v.status === "ci_failed").map((v) => v.attemptId)).size === 2 &&
        f.forPerson.includes("max_attempts_reached"),
    },
  };
}

export interface EndStateRow {
  readonly ticket: string;
  readonly role: Role;
  readonly expected: string;
  readonly actual: string;
  readonly ok: boolean;
}

/** What is true of a ticket now, in a few words. */
export function describeActual(f: OutcomeFacts): string {
  const parts = [
    `${f.state}${f.hold ? ` (held: ${f.hold})` : ""}`,
    `${f.attempts} attempt${f.attempts === 1 ? "" : "s"}`,
  ];
  if (f.policySkips.length) parts.push(`skipped: ${[...new Set(f.policySkips)].join(", ")}`);
  if (f.seenBlocked) parts.push("was blocked");
  const asked = reasons(f, "needs_input").length;
  if (asked) parts.push(`asked ${asked}×, answered ${reasons(f, "answered").length}×`);
  if (f.verdicts.length) parts.push(`verdicts: ${f.verdicts.map((v) => v.status).join(" → ")}`);
  if (f.forPerson.length) parts.push(`for a person: ${f.forPerson.join(", ")}`);
  return parts.join("; ");
}

export function evaluateEndStates(facts: readonly OutcomeFacts[], person: string): EndStateRow[] {
  const expected = expectedEnds(person);
  return facts.map((f) => ({
    ticket: f.key,
    role: f.role,
    expected: expected[f.role].description,
    actual: describeActual(f),
    ok: expected[f.role].holds(f),
  }));
}

/** The summary table (plain text, aligned columns). */
export function formatEndStates(rows: readonly EndStateRow[]): string {
  const header = ["ticket", "role", "expected", "actual", "ok"];
  const cells = rows.map((r) => [r.ticket, r.role, r.expected, r.actual, r.ok ? "yes" : "NO"]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (c: readonly string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), ...cells.map(line)].join("\n");
}
