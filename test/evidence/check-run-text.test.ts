/**
 * The check run's text is published on GitHub: masked (a test summary is an agent's output) and
 * bounded under GitHub's 65,535-character limit, with a note when it was cut.
 */
import { describe, expect, it } from "vitest";
import {
  CHECK_RUN_TEXT_MAX_CHARS,
  CHECK_RUN_TRUNCATED_NOTE,
  renderCheckRun,
} from "../../src/evidence/check-run.js";
import type { Criterion, Verdict } from "../../src/evidence/types.js";

const criterion = (message: string, i = 0): Criterion =>
  ({
    id: `check:ci-${i}`,
    title: `ci ${i}`,
    status: "fail",
    reason: "check_failed",
    message,
    url: null,
  }) as Criterion;
const verdict = (criteria: Criterion[]): Verdict => ({
  status: "fail",
  criteria,
  summary: "",
  fingerprint: "",
});
const subject = { ticket: "MC-1", attemptId: "a-1", sha: "a".repeat(40) };

describe("renderCheckRun", () => {
  it("masks credentials a criterion quotes", () => {
    const { summary } = renderCheckRun(
      verdict([
        criterion(
          "tests: connect postgres://ci:hunter2@db/x failed; token ghp_abcdefghijklmnopqrstuvwxyz0123",
        ),
      ]),
      subject,
    );
    expect(summary).not.toContain("hunter2");
    expect(summary).not.toContain("abcdefghijklmnopqrstuvwxyz0123");
    expect(summary).toContain("postgres://ci:[REDACTED]@db/x");
  });

  it("stays under GitHub's limit, ending with a note, however many criteria say however much", () => {
    const many = Array.from({ length: 200 }, (_, i) => criterion("x".repeat(1_000), i));
    const { title, summary } = renderCheckRun(verdict(many), subject);
    expect(summary.length).toBeLessThanOrEqual(CHECK_RUN_TEXT_MAX_CHARS);
    expect(summary.length).toBeLessThan(65_535);
    expect(summary.endsWith(CHECK_RUN_TRUNCATED_NOTE)).toBe(true);
    expect(title).toBe("MC-1: 200 of 200 criteria fail");
  });
});
