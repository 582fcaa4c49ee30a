/**
 * The demo's sample agent: a real child process that the worker runner starts in the ticket's git
 * worktree. It reads its brief (MCTL_TICKET_FILE), follows the plan written in the ticket's
 * description, and either asks a person through the runner's signal channel (MCTL_SIGNAL_URL,
 * MCTL_SIGNAL_TOKEN: the same client as `mctl signal needs-input`) or changes the files, commits
 * and pushes the ticket branch. It never touches the database (it gets no credentials for it).
 */
import { execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { errorMessage } from "../domain/error-message.js";
import { sendSignal } from "../worker/signal-channel.js";
import { answersIn, decideAction, parsePlan } from "./agent-plan.js";

const AgentEnv = z.object({
  MCTL_TICKET: z.string().min(1),
  MCTL_ATTEMPT: z.uuid(),
  MCTL_TICKET_FILE: z.string().min(1),
  MCTL_BRANCH: z.string().min(1),
  MCTL_SIGNAL_URL: z.url(),
  MCTL_SIGNAL_TOKEN: z.string().min(1),
});

function git(...args: string[]): string {
  return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

async function main(): Promise<number> {
  const parsed = AgentEnv.safeParse(process.env);
  if (!parsed.success) {
    const missing = parsed.error.issues.map((i) => i.path.join(".")).join(", ");
    console.error(`demo agent: run me under \`mctl worker run\` (missing or invalid: ${missing})`);
    return 2;
  }
  const env = parsed.data;
  const brief = readFileSync(env.MCTL_TICKET_FILE, "utf8");
  const plan = parsePlan(brief);
  if (!plan.ok) {
    console.error(`demo agent: ${plan.message}`);
    return 1;
  }
  const action = decideAction(plan.steps, answersIn(brief));
  if (action.kind === "ask") {
    console.log(`${env.MCTL_TICKET}: asking a person: ${action.question}`);
    const result = await sendSignal({
      url: env.MCTL_SIGNAL_URL,
      token: env.MCTL_SIGNAL_TOKEN,
      signal: { kind: "needs_input", attemptId: env.MCTL_ATTEMPT, question: action.question },
      timeoutMs: 15_000,
    });
    console.log(result.ok ? result.message : `the runner refused: ${result.code}: ${result.message}`);
    return result.ok ? 0 : 1;
  }
  for (const file of action.files) {
    mkdirSync(path.dirname(file.path), { recursive: true });
    if (file.mode === "write") writeFileSync(file.path, file.content);
    else appendFileSync(file.path, file.content);
    console.log(`${file.mode === "write" ? "wrote" : "appended to"} ${file.path}`);
  }
  const title = /^# (.+)$/m.exec(brief)?.[1] ?? env.MCTL_TICKET;
  git("add", "--all");
  // A retry may find its change already committed: every attempt still hands in a commit of its own.
  git("commit", "--quiet", "--allow-empty", "-m", title);
  git("push", "--quiet", "origin", `HEAD:refs/heads/${env.MCTL_BRANCH}`);
  console.log(`committed and pushed ${git("rev-parse", "--short", "HEAD")} to ${env.MCTL_BRANCH}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`demo agent: ${errorMessage(error)}`);
    process.exit(1);
  },
);
