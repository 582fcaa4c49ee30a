import type { Octokit } from "@octokit/rest";
import { EVIDENCE_CHECK_NAME } from "../config/schema.js";
import { redactAndBound } from "../domain/redact.js";
import type { RepoCoordinates } from "./gather.js";
import { CheckRunShape } from "./github-shapes.js";
import type { Criterion, Verdict } from "./types.js";
import { reevaluatedWhen } from "./webhook-targets.js";

/** GitHub refuses a check run whose output `summary` or `text` exceeds 65,535 characters. */
export const CHECK_RUN_TEXT_MAX_CHARS = 65_000;
const CHECK_RUN_TITLE_MAX_CHARS = 1_000;
export const CHECK_RUN_TRUNCATED_NOTE = "\n\n… (truncated: the full verdict: `mctl evidence show <ticket>`)";

const ICON: Record<Criterion["status"], string> = { pass: "✅ pass", fail: "❌ fail", pending: "⏳ pending" };

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\s+/g, " ");

/** The check run's body for a verdict: title, and a summary table with one row per criterion. */
export function renderCheckRun(
  verdict: Verdict,
  subject: { ticket: string; attemptId: string; sha: string },
) {
  const rows = verdict.criteria.map(
    (c) =>
      `| ${cell(c.title)} | ${ICON[c.status]} | \`${c.reason}\` | ${cell(c.message)} | ${c.url ? `[link](${c.url})` : ""} |`,
  );
  const pending = verdict.criteria.filter((c) => c.status === "pending");
  const failed = verdict.criteria.filter((c) => c.status === "fail");
  const count = (s: Criterion["status"]) => verdict.criteria.filter((c) => c.status === s).length;
  const title =
    verdict.status === "pass"
      ? `${subject.ticket}: all ${verdict.criteria.length} criteria pass`
      : verdict.status === "fail"
        ? `${subject.ticket}: ${failed.length} of ${verdict.criteria.length} criteria fail`
        : `${subject.ticket}: waiting for ${pending.length} of ${verdict.criteria.length} criteria`;
  const summary = [
    `Evidence of **${subject.ticket}** (attempt \`${subject.attemptId}\`) on \`${subject.sha.slice(0, 7)}\`: **${verdict.status}** — ${count("pass")} pass, ${count("pending")} pending, ${count("fail")} fail.`,
    "",
    "| criterion | result | reason | detail | link |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
    "",
    pending.length
      ? `**Still pending:** ${pending.map((c) => `${c.title} (${c.message})`).join("; ")}. Re-evaluated when ${reevaluatedWhen()} change.`
      : "Nothing is pending.",
    verdict.status === "pass"
      ? "A passing verdict asks the orchestrator for a decision; it does not close the ticket."
      : "",
  ]
    .filter((line, i, all) => line !== "" || all[i - 1] !== "")
    .join("\n");
  // Criteria quote what GitHub and the worker said (a test summary is an agent's output): masked,
  // and bounded under GitHub's 65,535-character limit of a check run's output fields.
  return {
    title: redactAndBound(title, CHECK_RUN_TITLE_MAX_CHARS, " …"),
    summary: redactAndBound(summary, CHECK_RUN_TEXT_MAX_CHARS, CHECK_RUN_TRUNCATED_NOTE),
  };
}

export type Publication =
  | {
      readonly ok: true;
      readonly checkRunId: number;
      readonly appId: number | null;
      readonly created: boolean;
    }
  | { readonly ok: false; readonly checkRunId: number | null; readonly message: string };

/**
 * Publishes the verdict as the check run `Mission Control / evidence` on the commit: created once
 * (when `existingId` is null), updated after that. Pending is `in_progress`; pass and fail complete
 * it with `success` / `failure`. Failures are returned, not thrown: the stored verdict stands.
 */
export async function publishCheckRun(
  octokit: Octokit,
  where: RepoCoordinates,
  input: {
    sha: string;
    existingId: number | null;
    verdict: Verdict;
    ticket: string;
    attemptId: string;
    /** Where GitHub's "Details" link leads (the board's ticket page), when the board is public. */
    detailsUrl?: string;
  },
): Promise<Publication> {
  const { title, summary } = renderCheckRun(input.verdict, {
    ticket: input.ticket,
    attemptId: input.attemptId,
    sha: input.sha,
  });
  const state =
    input.verdict.status === "pending"
      ? { status: "in_progress" as const }
      : {
          status: "completed" as const,
          conclusion: input.verdict.status === "pass" ? ("success" as const) : ("failure" as const),
        };
  const body = {
    ...state,
    external_id: `${input.ticket}/${input.attemptId}`,
    ...(input.detailsUrl ? { details_url: input.detailsUrl } : {}),
    output: { title, summary },
  };
  try {
    const response =
      input.existingId === null
        ? await octokit.request("POST /repos/{owner}/{repo}/check-runs", {
            ...where,
            name: EVIDENCE_CHECK_NAME,
            head_sha: input.sha,
            ...body,
          })
        : await octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
            ...where,
            check_run_id: input.existingId,
            ...body,
          });
    const run = CheckRunShape.parse(response.data);
    return { ok: true, checkRunId: run.id, appId: run.app?.id ?? null, created: input.existingId === null };
  } catch (error) {
    const status = (error as { status?: number }).status;
    const message = `${input.existingId === null ? "creating" : "updating"} the check run failed: ${status ?? ""} ${(error as Error).message}`;
    return { ok: false, checkRunId: input.existingId, message: message.replace(/\s+/g, " ").trim() };
  }
}
