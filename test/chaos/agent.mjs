/**
 * The chaos harness's scripted agent (`worker.agent_command: [node, test/chaos/agent.mjs]`), run by
 * `mctl worker run` in the ticket's worktree. It decides from the ticket's title in its brief
 * (`MCTL_TICKET_FILE`), like a real agent reads its prompt:
 *
 * - `[succeed]`, `[flaky]`: commit a file, push the ticket branch, exit 0 (CI fails a flaky
 *   ticket's first commit; that is the CI bot's business, not the agent's).
 * - `[ask]`: without an answer in the brief, `mctl signal needs-input` and stop; with one, succeed.
 * - `[fail]`: give up: exit 3 (the runner records `agent_crashed`).
 * - `[linger]`: push, then keep working a while before exiting 0 (CI usually finishes before the
 *   runner reports the completion; agents that push and then write a summary do this).
 * - `[hang]`: on its first attempt, freeze its runner (SIGSTOP: a worker stalled past its lease,
 *   like a suspended VM), work meanwhile, wake the runner (SIGCONT) and exit 0: a stale worker that
 *   tries to report a completion after its attempt was lost. Later attempts succeed.
 *
 * Each start is journaled (CHAOS_JOURNAL, one JSON line) for the history checker. Plain JavaScript:
 * it is started hundreds of times, so it must start fast.
 */
import { execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";

const env = process.env;
const ticket = env.MCTL_TICKET ?? "?";
const attempt = env.MCTL_ATTEMPT ?? "?";
const brief = readFileSync(env.MCTL_TICKET_FILE ?? "", "utf8");
const kind = /\[(succeed|ask|fail|hang|flaky|linger)\]/.exec(brief.split("\n")[0] ?? "")?.[1] ?? "succeed";
const attemptNumber = Number(/attempt (\d+) \(`/.exec(brief)?.[1] ?? "1");
const runner = process.ppid;

appendFileSync(
  env.CHAOS_JOURNAL ?? "journal.ndjson",
  `${JSON.stringify({ event: "start", ticket, attempt, kind, attemptNumber, pid: process.pid, runner, at: new Date().toISOString() })}\n`,
);

const git = (...args) => execFileSync("git", args, { stdio: ["ignore", "ignore", "inherit"] });
const mctl = (...args) =>
  execFileSync(process.execPath, [env.CHAOS_MCTL ?? "mctl", ...args], {
    stdio: ["ignore", "ignore", "inherit"],
  });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function commitAndPush() {
  mkdirSync("chaos", { recursive: true });
  writeFileSync(`chaos/${ticket}.txt`, `${ticket} attempt ${attemptNumber} (${attempt})\n`);
  git("add", "-A");
  git("commit", "--quiet", "-m", `${ticket}: attempt ${attemptNumber}`);
  git("push", "--quiet", "origin", `HEAD:refs/heads/${env.MCTL_BRANCH}`);
}

switch (kind) {
  case "ask":
    if (brief.includes("**Answer**")) commitAndPush();
    else mctl("signal", "needs-input", "--question", `Which widget should ${ticket} change?`);
    break;
  case "fail":
    process.exitCode = 3;
    break;
  case "linger":
    commitAndPush();
    await sleep(Number(env.CHAOS_LINGER_MS ?? "8000"));
    break;
  case "hang":
    if (attemptNumber === 1) {
      process.kill(runner, "SIGSTOP");
      await sleep(Number(env.CHAOS_HANG_MS ?? "10000"));
      // The runner may have been killed meanwhile (then this agent is an orphan: just stop).
      if (process.ppid !== runner) process.exit(1);
      commitAndPush();
      process.kill(runner, "SIGCONT");
    } else commitAndPush();
    break;
  default:
    commitAndPush();
}
