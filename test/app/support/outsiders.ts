import { expect } from "vitest";
import type { AppHarness } from "./harness.js";

/** The app's own authentication requests (installation lookup and token), not the command's. */
const isAuth = (route: string | null) =>
  route !== null && (route.includes(" /app/") || route.endsWith("/installation"));

/**
 * Comments `body` as `author` and checks the outsider rule (issue 19): someone who cannot write to
 * the repository is refused without a reaction or a reply, recorded as `outsider_ignored`, and
 * costs at most one GitHub request (the permission check). Returns the GitHub requests it cost.
 */
export async function expectOutsiderIgnored(
  app: AppHarness,
  repository: string,
  issue: number,
  author: string,
  body: string,
): Promise<string[]> {
  // Earlier work (re-evaluations, the mirror) first, so that only this comment's requests count.
  await app.settle();
  const before = app.gh.requests.entries.length;
  const comment = app.gh.world.comment(repository, issue, { author, body });
  await app.settle();
  const requests = app.gh.requests.entries
    .slice(before)
    .filter((r) => !isAuth(r.route))
    .map((r) => r.route ?? r.path);
  expect(await app.store.commandReplies.find(comment.id)).toMatchObject({ outcome: "outsider_ignored" });
  expect(requests.length, requests.join(", ")).toBeLessThanOrEqual(1);
  expect(requests.filter((r) => !r.startsWith("GET "))).toEqual([]);
  const replies = app.gh.world
    .commentsOf(repository, issue)
    .filter((c) => c.body.includes(String(comment.id)));
  expect(replies).toEqual([]);
  return requests;
}
