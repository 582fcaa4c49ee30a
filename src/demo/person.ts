/**
 * The demo's person: alice, who has write access to the repository. When the app's mirror has put
 * an agent's question on a ticket's issue, she answers it there with `/mc answer …` — a comment on
 * the stand-in, which reaches the app as a real signed `issue_comment` webhook.
 */
import type { GitHubStandin } from "../github-standin/index.js";
import type { Lifecycle } from "../lifecycle/index.js";

export interface DemoPersonOptions {
  readonly gh: GitHubStandin;
  readonly lifecycle: Lifecycle;
  readonly repository: string;
  readonly login: string;
  /** Her answer for each ticket that asks (by key). */
  readonly answers: ReadonlyMap<string, string>;
}

export function demoPerson(options: DemoPersonOptions) {
  const { gh, lifecycle, repository } = options;
  /** Question comments already answered (a ticket can ask again on a later attempt). */
  const answered = new Set<number>();
  return {
    async poll(): Promise<{ busy: boolean }> {
      for (const [key, answer] of options.answers) {
        const ticket = await lifecycle.findTicket(key);
        if (ticket?.state !== "needs_input" || ticket.issueNumber === null) continue;
        const open = (await lifecycle.questionsOf(ticket.id)).findLast((q) => q.answer === null);
        if (!open) continue;
        // She answers what she can read on the issue: the app's comment with the question.
        const asked = gh.world
          .commentsOf(repository, ticket.issueNumber)
          .find((c) => c.viaAppId === gh.app.id && c.body.includes(open.question) && !answered.has(c.id));
        if (!asked) continue;
        answered.add(asked.id);
        gh.world.comment(repository, ticket.issueNumber, {
          author: options.login,
          body: `/mc answer ${answer}`,
        });
      }
      return { busy: false };
    },
  };
}
