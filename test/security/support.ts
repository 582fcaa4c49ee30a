/**
 * The hostile agent of test/security: one shell script that tries each attack of issue 18 in turn
 * and writes what it got into its own worktree (`attacks/<name>`), then gives up with a reason that
 * carries a secret. The tests assert from the database and the file system, not from the runner's log.
 */
import { execFile } from "node:child_process";
import { chmod } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { MCTL } from "../helpers/cli.js";

const run = promisify(execFile);

export const SANDBOX_USER = "mctl-sandbox";
export const PLANTED_TOKEN = "ghp_0123456789abcdefghijABCDEFGHIJ0123";
export const PLANTED_URL = "postgres://u:hunter2@h/db";

/**
 * Whether this machine can run the sandbox tests: as root, creating the sandbox user when it is
 * missing. Returns the reason when it cannot; under CI=true that is a failure, not a skip.
 */
export async function sandboxAvailable(): Promise<string | null> {
  if (process.getuid?.() !== 0) return "not root: the runner cannot switch to another user";
  const found = await run("getent", ["passwd", SANDBOX_USER]).then(
    () => true,
    () => false,
  );
  if (!found) await run("useradd", ["--system", "--no-create-home", SANDBOX_USER]);
  return null;
}

/** Lets another user reach `dir` (mkdtemp makes it 0700) and every folder above it. */
export async function openToOthers(dir: string): Promise<void> {
  let current = dir;
  while (current !== path.dirname(current)) {
    if (current.startsWith("/tmp/") || current === dir) await chmod(current, 0o755);
    current = path.dirname(current);
  }
}

/** The script: each attack, its result as a file; `other` is another ticket's running attempt. */
export function hostileScript(options: {
  repo: string;
  dataDir: string | undefined;
  other: { key: string; attemptId: string };
}): string {
  const mctl = `"${process.execPath}" "${MCTL}"`;
  const data = options.dataDir ?? "/nonexistent";
  return `set +e
mkdir -p attacks
# 1. The runner's environment (its DATABASE_URL / MCTL_DATA_DIR).
{ tr '\\0' '\\n' </proc/$PPID/environ; } >attacks/environ 2>attacks/environ.err
URL=$(grep '^DATABASE_URL=' attacks/environ | cut -d= -f2-)
DATA=$(grep '^MCTL_DATA_DIR=' attacks/environ | cut -d= -f2-)
[ -n "$DATA" ] || DATA="$MCTL_DATA_DIR"
[ -n "$DATA" ] || DATA="${data}"
# 2. The embedded data directory, opened directly.
ls "$DATA" >attacks/data-dir 2>&1; echo "exit $?" >>attacks/data-dir
# 3. From the main checkout, mctl on another ticket, with whatever credentials were found.
(cd "${options.repo}" && env -u MCTL_SIGNAL_URL -u MCTL_SIGNAL_TOKEN -u MCTL_ATTEMPT \\
  \${URL:+DATABASE_URL=$URL} MCTL_DATA_DIR="$DATA" MCTL_LOCK_WAIT_MS=20000 \\
  ${mctl} ticket cancel ${options.other.key} --reason hijacked --actor human:alice) >attacks/cancel 2>&1
echo "exit $?" >>attacks/cancel
# 4. Writing outside the worktree.
echo pwned >"${options.repo}/PWNED" 2>attacks/write-outside; echo "exit $?" >>attacks/write-outside
# 5. A signal for another attempt, through this runner's channel.
${mctl} signal fail --attempt ${options.other.attemptId} --reason hijacked >attacks/signal-other 2>&1
echo "exit $?" >>attacks/signal-other
# The agent can still work in its own worktree: a commit.
echo work >work.txt && git add work.txt && git -c user.name=a -c user.email=a@example.test commit -q -m work >attacks/commit 2>&1
echo "exit $?" >>attacks/commit
# 7. Its commit pushed straight to the default branch (and to its own branch: the runner pushes that).
git push -q origin HEAD:refs/heads/main >attacks/push-default 2>&1; echo "exit $?" >>attacks/push-default
# 8. Another ticket's branch moved to its own commit (the runner would push it on that ticket's turn).
git update-ref refs/heads/mission-control/${options.other.key} HEAD >attacks/other-ref 2>&1; echo "exit $?" >>attacks/other-ref
# 9. Secrets in its output and in its failure reason.
echo "token ${PLANTED_TOKEN} and ${PLANTED_URL}"
${mctl} signal fail --reason "gave up; try ${PLANTED_TOKEN} on ${PLANTED_URL}"
sleep 5
`;
}
