/** The demo's world before anything runs: the repository on the GitHub stand-in, and the tickets. */
import type { GitHubStandin } from "../github-standin/index.js";
import type { Lifecycle } from "../lifecycle/index.js";
import type { TrackedTicket } from "./decision-log.js";
import {
  DEMO_CI_APP,
  DEMO_FILES,
  DEMO_OWNER,
  DEMO_PERSON,
  DEMO_REPO_NAME,
  DEMO_REPOSITORY,
  DEMO_TICKETS,
  type Role,
} from "./scenario.js";
import type { Workspace } from "./workspace.js";

/** `demo/widgets` with its default branch at git's first commit (same sha), alice, and the CI app. */
export function arrangeGitHub(gh: GitHubStandin, workspace: Workspace): void {
  gh.world.repository({
    owner: DEMO_OWNER,
    name: DEMO_REPO_NAME,
    description: "Mission Control's demo repository",
    collaborators: { [DEMO_PERSON]: "write" },
  });
  gh.world.commit(DEMO_REPOSITORY, {
    branch: "main",
    sha: workspace.initialSha,
    files: DEMO_FILES,
    message: "Initial commit",
    author: DEMO_PERSON,
  });
  gh.world.app({ slug: DEMO_CI_APP, name: "Demo CI" });
}

/** The demo tickets, created through the lifecycle in order (MC-1 … MC-5 in a fresh database). */
export async function createTickets(lifecycle: Lifecycle): Promise<TrackedTicket[]> {
  const keys = new Map<Role, string>();
  const tracked: TrackedTicket[] = [];
  for (const demo of DEMO_TICKETS) {
    const created = await lifecycle.createTicket(
      {
        ...demo.ticket,
        repository: DEMO_REPOSITORY,
        blockedBy: demo.blockedBy.map((role) => {
          const key = keys.get(role);
          if (!key) throw new Error(`the demo ticket ${demo.role} is blocked by ${role}, created later`);
          return key;
        }),
      },
      { kind: "human", id: DEMO_PERSON },
    );
    if (!created.ok) throw new Error(`cannot create the demo ticket ${demo.role}: ${created.message}`);
    keys.set(demo.role, created.ticket.key);
    tracked.push({ key: created.ticket.key, role: demo.role });
  }
  return tracked;
}

/** What alice answers, by the key of each ticket that asks. */
export function answersByKey(tracked: readonly TrackedTicket[]): Map<string, string> {
  return new Map(
    DEMO_TICKETS.flatMap((t) => {
      const key = tracked.find((x) => x.role === t.role)?.key;
      return key && t.answer ? [[key, t.answer] as const] : [];
    }),
  );
}
