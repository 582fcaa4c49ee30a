import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { AttemptRow } from "../db/schema.js";
import type { AttemptContext } from "./attempt-context.js";

export interface BriefInput {
  readonly context: AttemptContext;
  readonly branch: string;
  readonly remote: string;
  /**
   * How the agent finishes: `runner` (default: `mctl worker run`, which pushes and collects the
   * evidence itself) or `workflow` (the agent job of the three-job workflow: it has no push
   * credential; it commits, and leaves a question or a failure in its outcome directory).
   */
  readonly finish?: "runner" | "workflow";
}

/**
 * The Markdown brief an agent can be given as its prompt (`MCTL_TICKET_FILE`): the ticket, every
 * earlier question with its answer, why earlier attempts ended, and how to finish.
 */
export function renderBrief({ context, branch, remote, finish = "runner" }: BriefInput): string {
  const { ticket, attempt } = context;
  const out: string[] = [`# ${ticket.key}: ${ticket.title}`, ""];
  out.push(
    `- Ticket: ${ticket.key}, attempt ${attempt.number} (\`${attempt.id}\`)`,
    `- Repository: ${ticket.repository}`,
    `- Priority: ${ticket.priority}`,
    `- Labels: ${ticket.labels.length ? ticket.labels.map((l) => `\`${l}\``).join(", ") : "none"}`,
    `- Branch: \`${branch}\` (on \`${remote}\`)`,
    "",
    "## Description",
    "",
    ticket.body.trim() || "_No description._",
    "",
  );
  if (context.questions.length) {
    out.push("## Questions asked earlier", "");
    context.questions.forEach((q, i) => {
      out.push(`### Question ${i + 1} (asked ${q.askedAt.toISOString()})`, "", quote(q.question), "");
      if (q.answer !== null) {
        const by = q.answeredBy ? ` by ${q.answeredBy}` : "";
        out.push(`**Answer**${by}:`, "", quote(q.answer), "");
      } else out.push("_Not answered yet._", "");
    });
  }
  if (context.earlierAttempts.length) {
    out.push("## Earlier attempts", "");
    for (const earlier of context.earlierAttempts) out.push(`- ${describeEnding(earlier)}`);
    out.push("");
  }
  if (finish === "workflow") {
    out.push(
      "## How to finish",
      "",
      `1. Work in this checkout on \`${branch}\`; commit everything you change. Do not push: the report job does.`,
      "2. Exit with status 0. The report job checks that your commits descend from the base commit,",
      "   pushes them and claims completion; only the evidence counts, not anything you print.",
      "",
      "If you need an answer from a person, write the question to `question.txt` in the outcome directory",
      "(`$MCTL_OUTCOME_DIR`) and stop. If you cannot do the task, write why to `failure.txt` there and stop.",
      "",
    );
    return out.join("\n");
  }
  out.push(
    "## How to finish",
    "",
    `1. Work in this directory (a git worktree on \`${branch}\`); commit everything you change.`,
    `2. Exit with status 0. The runner then checks that the working tree is clean, pushes HEAD to`,
    `   \`${remote}/${branch}\` (you need not push; a push of your own to that branch is fine too)`,
    "   and runs the tests; only that counts as completion, not anything you print.",
    "",
    'If you need an answer from a person, run `mctl signal needs-input --question "…"` and stop.',
    'If you cannot do the task, run `mctl signal fail --reason "…"` and stop.',
    "",
  );
  return out.join("\n");
}

/** One line about how an earlier attempt ended, from its structured outcome. */
export function describeEnding(attempt: AttemptRow): string {
  const outcome = attempt.outcome ?? {};
  const reason = typeof outcome.reason === "string" ? outcome.reason : "no reason recorded";
  const details: string[] = [];
  for (const key of ["message", "question", "exitCode", "signal", "error"] as const) {
    const value = outcome[key];
    if (value !== undefined && value !== null) details.push(`${key}: ${oneLine(String(value))}`);
  }
  const detail = details.length ? ` (${details.join("; ")})` : "";
  return `Attempt ${attempt.number}: ${attempt.status}, ${reason}${detail}`;
}

/** Writes the brief outside the worktree (so it never dirties it) and returns its path. */
export async function writeBrief(directory: string, attempt: AttemptRow, text: string): Promise<string> {
  await mkdir(directory, { recursive: true });
  const file = path.join(directory, `attempt-${attempt.number}-${attempt.id}.md`);
  await writeFile(file, text, "utf8");
  return file;
}

function quote(text: string): string {
  return text
    .trim()
    .split("\n")
    .map((line) => `> ${line}`)
    .join("\n");
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 300 ? `${flat.slice(0, 299)}…` : flat;
}
