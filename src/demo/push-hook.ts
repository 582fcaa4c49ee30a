/**
 * The `post-receive` hook of the demo's `origin` (installed by push-receiver.ts): reads git's
 * `<old> <new> <ref>` lines from stdin and posts them to the demo, which shows the pushed commits
 * on the GitHub stand-in before answering. The push returns after that.
 */

import { errorMessage } from "../domain/error-message.js";
import { RefUpdateSchema } from "./push-receiver.js";

async function main(): Promise<number> {
  const url = process.argv[2];
  const token = process.env.MCTL_DEMO_PUSH_TOKEN;
  if (!url || !token) {
    console.error("demo push hook: usage: push-hook.js <url> (with MCTL_DEMO_PUSH_TOKEN)");
    return 2;
  }
  let input = "";
  for await (const chunk of process.stdin) input += String(chunk);
  const updates = input
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [old, sha, ref] = line.trim().split(/\s+/);
      return RefUpdateSchema.parse({ old, new: sha, ref });
    });
  const response = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ updates }),
    signal: AbortSignal.timeout(30_000),
  });
  if (response.ok) return 0;
  console.error(`demo push hook: the demo answered ${response.status}: ${(await response.text()).trim()}`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`demo push hook: ${errorMessage(error)}`);
    process.exit(1);
  },
);
