import type { AttemptRow, EvidenceVerdictRow, TicketRow } from "../../db/schema.js";

/**
 * GitHub's web origin for a REST API base URL: https://api.github.com → https://github.com,
 * GitHub Enterprise Server's `https://HOST/api/v3` → `https://HOST`, anything else (a stand-in)
 * as it is.
 */
export function githubWebUrl(apiUrl: string | undefined): string {
  const base = (apiUrl ?? "https://api.github.com").replace(/\/+$/, "");
  if (/^https:\/\/api\.github\.com$/.test(base)) return "https://github.com";
  return base.replace(/\/api\/v3$/, "");
}

/** Where a ticket lives on GitHub: its issue, its evidence check run, each attempt's workflow run. */
export interface TicketLinks {
  readonly issue: string | null;
  /** The `Mission Control / evidence` check run of the current verdict. */
  readonly check_run: string | null;
  /** One per attempt bound to a GitHub Actions run, oldest first. */
  readonly workflow_runs: readonly { readonly attempt_id: string; readonly url: string }[];
}

const path = (repository: string) => repository.split("/").map(encodeURIComponent).join("/");

export function ticketLinks(
  web: string,
  ticket: Pick<TicketRow, "repository" | "issueNumber">,
  attempts: readonly Pick<AttemptRow, "id" | "runRepository" | "runId">[],
  verdicts: readonly Pick<EvidenceVerdictRow, "repository" | "checkRunId">[],
): TicketLinks {
  const current = verdicts.at(-1);
  return {
    issue: ticket.issueNumber ? `${web}/${path(ticket.repository)}/issues/${ticket.issueNumber}` : null,
    check_run: current?.checkRunId ? `${web}/${path(current.repository)}/runs/${current.checkRunId}` : null,
    workflow_runs: attempts.flatMap((a) =>
      a.runRepository && a.runId
        ? [
            {
              attempt_id: a.id,
              url: `${web}/${path(a.runRepository)}/actions/runs/${encodeURIComponent(a.runId)}`,
            },
          ]
        : [],
    ),
  };
}
