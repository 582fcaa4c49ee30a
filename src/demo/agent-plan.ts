/**
 * What the demo's sample agent reads in its brief (MCTL_TICKET_FILE): the plan written in the
 * ticket's description, and the answers a person gave to earlier questions. Pure functions.
 *
 * Plan lines (in the description):
 *   - ask: <question>                  ask a person first, unless an answer is already in the brief
 *   - write `<path>`: "<JSON string>"  write the file ({answer} becomes the latest answer)
 *   - append `<path>`: "<JSON string>" append to the file
 */
import { z } from "zod";

export type PlanStep =
  | { readonly kind: "ask"; readonly question: string }
  | { readonly kind: "write" | "append"; readonly path: string; readonly content: string };

export type PlanResult =
  | { readonly ok: true; readonly steps: readonly PlanStep[] }
  | { readonly ok: false; readonly message: string };

/** A path inside the worktree: relative, no `..`, not into `.git`. */
const SafePath = z
  .string()
  .min(1)
  .max(200)
  .refine((p) => !p.startsWith("/") && !p.split("/").some((part) => part === ".." || part === ".git"), {
    message: "must be a relative path inside the repository (no .., not .git)",
  });

const FILE_STEP = /^- (write|append) `([^`]+)`: (".*")\s*$/;
const ASK_STEP = /^- ask: (.+?)\s*$/;

/** The plan steps of a brief, in order; a malformed step is an error naming the line. */
export function parsePlan(brief: string): PlanResult {
  const steps: PlanStep[] = [];
  for (const [index, line] of brief.split("\n").entries()) {
    const ask = ASK_STEP.exec(line);
    if (ask?.[1]) {
      steps.push({ kind: "ask", question: ask[1] });
      continue;
    }
    if (!/^- (write|append) `/.test(line)) continue;
    const file = FILE_STEP.exec(line);
    const where = `brief line ${index + 1}`;
    if (!file?.[1] || !file[2] || !file[3]) return { ok: false, message: `${where}: malformed plan step` };
    const path = SafePath.safeParse(file[2]);
    if (!path.success)
      return { ok: false, message: `${where}: ${file[2]}: ${path.error.issues[0]?.message ?? "bad path"}` };
    let content: unknown;
    try {
      content = JSON.parse(file[3]);
    } catch {
      return { ok: false, message: `${where}: the content must be a JSON string` };
    }
    if (typeof content !== "string")
      return { ok: false, message: `${where}: the content must be a JSON string` };
    steps.push({ kind: file[1] === "write" ? "write" : "append", path: path.data, content });
  }
  return { ok: true, steps };
}

/**
 * The answers in a brief (src/worker/brief.ts renders each as `**Answer** by <who>:` followed by a
 * quoted block), oldest first.
 */
export function answersIn(brief: string): string[] {
  const answers: string[] = [];
  const lines = brief.split("\n");
  for (let i = 0; i < lines.length; i += 1) {
    if (!lines[i]?.startsWith("**Answer**")) continue;
    let j = i + 1;
    while (j < lines.length && lines[j]?.trim() === "") j += 1;
    const quoted: string[] = [];
    while (j < lines.length && lines[j]?.startsWith(">")) {
      quoted.push((lines[j] ?? "").replace(/^> ?/, ""));
      j += 1;
    }
    if (quoted.length) answers.push(quoted.join("\n").trim());
    i = j - 1;
  }
  return answers;
}

/** What the agent does now: ask (no answer yet), or change these files. */
export type AgentAction =
  | { readonly kind: "ask"; readonly question: string }
  | {
      readonly kind: "change";
      readonly files: readonly { mode: "write" | "append"; path: string; content: string }[];
    };

/** Decides the agent's action from its plan and the answers it has. */
export function decideAction(steps: readonly PlanStep[], answers: readonly string[]): AgentAction {
  const ask = steps.find((s): s is Extract<PlanStep, { kind: "ask" }> => s.kind === "ask");
  const answer = answers[answers.length - 1];
  if (ask && answer === undefined) return { kind: "ask", question: ask.question };
  const files = steps.flatMap((s) =>
    s.kind === "ask"
      ? []
      : [{ mode: s.kind, path: s.path, content: s.content.replaceAll("{answer}", answer ?? "") }],
  );
  return { kind: "change", files };
}
